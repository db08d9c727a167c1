import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_test_assert.ts";
import type {
  HandlerKind,
  HandlerRef,
  Invocation,
  InvocationInput,
  InvocationResult,
} from "../contract.ts";
import { createPythonRuntime, PythonLibraryNotFoundError, type PythonRestart } from "./mod.ts";

const ROOT = new URL("./testdata/project", import.meta.url).pathname;
const FOLDERS: Record<HandlerKind, string> = {
  api: "handlers/api",
  event: "handlers/events",
  cron: "handlers/cron",
  ws_connect: "handlers/websockets",
  ws_message: "handlers/websockets",
  ws_disconnect: "handlers/websockets",
  middleware: "middlewares",
};

function ref(kind: HandlerKind, name: string, options: { owner?: string; file?: string } = {}) {
  const file = options.file ?? `${ROOT}/src/${FOLDERS[kind]}/${snake(name)}.py`;
  const handler: HandlerRef = {
    kind,
    name,
    owner: options.owner ?? name,
    language: "python",
    file,
    exports: [],
    profile: "default",
  };
  return handler;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c, i) => (i === 0 ? "" : "_") + c.toLowerCase());
}

function call(handler: HandlerRef, input: InvocationInput, timeoutMs = 10_000): Invocation {
  return { handler, input, traceId: "trace-1", timeoutMs };
}

function api(name: string, request: Record<string, unknown> = {}, timeoutMs?: number) {
  return call(ref("api", name), {
    kind: "api",
    request: { queryParams: {}, headers: {}, ...request },
  }, timeoutMs);
}

function value(result: InvocationResult): unknown {
  if (!result.ok) throw new Error(`Call failed: ${result.error.name}: ${result.error.message}`);
  assert(result.output.kind === "json");
  return result.output.value;
}

function start() {
  return createPythonRuntime({ root: ROOT });
}

Deno.test("an API handler gets req.body as the generated pydantic model and returns a model", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(api("CreateUser", {
    body: { name: "Alice", email: "alice@example.com" },
  }));
  assertEquals(value(result), {
    data: { id: 1, name: "Alice", email: "alice@example.com", createdAt: "2024-01-02T03:04:05Z" },
  });
});

Deno.test("an API named in lower camel case gets its generated <Name>Request class", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(api("lookupItem", { item_id: "42" }));
  assertEquals(value(result), { data: { class: "lookupItemRequest", item_id: "42" } });
});

Deno.test("an API handler with state gets path params, query params and headers", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(api("GetUser", {
    id: "42",
    queryParams: { tag: ["a", "b"], q: "x" },
    headers: { "user-agent": "deno" },
  }));
  assertEquals(value(result), {
    data: { id: "42", type: "GetUserRequest", query: { tag: ["a", "b"], q: "x" }, agent: "deno" },
  });
  assert(result.ok);
  assertEquals(result.effects, [
    { kind: "trigger", event: "UserViewed", payload: { id: "42" } },
    { kind: "set_payload", event: "UserFetched", payload: { id: "42" } },
  ]);
});

Deno.test("an API without a generated module gets a plain object with attribute access", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(api("PlainEcho", {
    slug: "héllo-✓-😀",
    body: { name: 'Bøb\n"quoted"' },
    queryParams: { a: "1" },
  }));
  assertEquals(value(result), {
    data: {
      slug: "héllo-✓-😀",
      body: { name: 'Bøb\n"quoted"' },
      query: { a: "1" },
      name: 'Bøb\n"quoted"',
    },
  });
});

Deno.test("a handler taking no arguments is called without any", async () => {
  await using runtime = await start();
  assertEquals(value(await runtime.invoke(api("ReturnsNone"))), null);
});

Deno.test("ten concurrent calls to an async handler sleeping one second run concurrently", async () => {
  await using runtime = await start();
  await runtime.reload(ref("api", "Sleepy").file);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 10 }, () => runtime.invoke(api("Sleepy"))),
  );
  const elapsed = performance.now() - started;
  for (const result of results) assertEquals(value(result), { data: "slept" });
  assert(elapsed < 3000, `took ${elapsed} ms`);
});

Deno.test("a sync handler runs on a thread and does not block async handlers", async () => {
  await using runtime = await start();
  let blockingDone = false;
  const blocking = runtime.invoke(api("Blocking")).then((r) => {
    blockingDone = true;
    return r;
  });
  const fast = await runtime.invoke(api("ReturnsNone"));
  assertEquals(value(fast), null);
  assertEquals(blockingDone, false);
  assertEquals(value(await blocking), { data: "blocked" });
});

Deno.test("a Python exception comes back with its type, message and traceback", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(api("Fails"));
  assert(!result.ok);
  assertEquals(result.reason, "error");
  assertEquals(result.error.name, "ValueError");
  assertEquals(result.error.message, "bad value 42");
  assertStringIncludes(result.error.stack ?? "", "Traceback (most recent call last)");
  assertStringIncludes(result.error.stack ?? "", 'fails.py", line 2, in explode');
  assert(!result.error.stack?.includes("rohas bridge"), "the bridge's frames are left out");
  assertEquals(result.effects.map((e) => e.kind), ["log", "trigger"]);
});

Deno.test("an HttpError keeps its status and details", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(api("Forbidden"));
  assert(!result.ok);
  assertEquals(result.error.name, "HttpError");
  assertEquals(result.error.status, 403);
  assertEquals(result.error.message, "No entry");
  assertEquals(result.error.details, { reason: "test" });
});

Deno.test("return values serialise pydantic models, dataclasses, datetimes and containers", async () => {
  await using runtime = await start();
  const at = "2024-05-06T07:08:09Z";
  assertEquals(value(await runtime.invoke(api("Serialise"))), {
    data: {
      model: { when: at, tags: ["a"] },
      dataclass: { x: 1, at },
      datetime: at,
      date: "2024-05-06",
      nested: [{ set: [1], tuple: [1, 2] }],
      enum: "red",
      uuid: "00000000-0000-0000-0000-000000000001",
      decimal: 1.5,
      none: null,
    },
  });
});

Deno.test("a value that cannot become JSON fails the call instead of returning a repr", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(api("Unserialisable"));
  assert(!result.ok);
  assertEquals(result.error.name, "TypeError");
  assertStringIncludes(result.error.message, "object is not JSON serializable");
});

Deno.test("a hanging handler times out and is cancelled while other calls succeed", async () => {
  await using runtime = await start();
  const hanging = runtime.invoke(api("Hang", {}, 300));
  const other = await runtime.invoke(api("ReturnsNone"));
  assertEquals(value(other), null);
  const result = await hanging;
  assert(!result.ok);
  assertEquals(result.reason, "timeout");
  assertMatch(result.error.message, /timed out after 300 ms/);
  const deadline = Date.now() + 5000;
  let cancelled: unknown = 0;
  while (cancelled === 0 && Date.now() < deadline) {
    cancelled = (value(await runtime.invoke(api("WasCancelled"))) as { data: number }).data;
  }
  assertEquals(cancelled, 1);
});

Deno.test("a handler imports a third-party package from the project's .venv", async () => {
  await using runtime = await start();
  assertEquals(value(await runtime.invoke(api("UsesVenv"))), { data: "HELLO!" });
});

Deno.test("a missing handler file or function is reported as not_found", async () => {
  await using runtime = await start();
  const missing = await runtime.invoke(api("NoSuchApi"));
  assert(!missing.ok);
  assertEquals(missing.reason, "not_found");
  const wrongFunction = await runtime.invoke(
    call(ref("api", "Other", { file: ref("api", "Sleepy").file }), {
      kind: "api",
      request: {},
    }),
  );
  assert(!wrongFunction.ok);
  assertEquals(wrongFunction.reason, "not_found");
  assertStringIncludes(wrongFunction.error.message, '"handle_other"');
});

function event(name: string, owner: string, payload: unknown) {
  return call(ref("event", name, { owner }), {
    kind: "event",
    event: { payload, timestamp: "2025-01-01T00:00:00Z", id: "ev-1", attempt: 2 },
  });
}

Deno.test("an event handler gets the generated event with a model payload, created_at mapped", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(event("send_welcome_email", "UserCreated", {
    id: 1,
    name: "John",
    email: "hello@world.com",
    created_at: "2024-01-01T00:00:00Z",
  }));
  assertEquals(value(result), {
    kind: "UserCreated",
    payload_kind: "User",
    created: "2024-01-01T00:00:00Z",
    timestamp: "2025-01-01T00:00:00Z",
  });
  assert(result.ok);
  assertEquals(result.effects, [
    { kind: "trigger", event: "WelcomeEmailSent", payload: { email: "hello@world.com" } },
  ]);
});

Deno.test("a batched event handler gets a list of generated events in delivery order", async () => {
  await using runtime = await start();
  const user = (n: number) => ({
    id: n,
    name: `U${n}`,
    email: `u${n}@x.io`,
    created_at: "2024-01-01T00:00:00Z",
  });
  const events = [1, 2, 3].map((n) => ({
    payload: user(n),
    timestamp: "2025-01-01T00:00:00Z",
    id: `ev-${n}`,
    attempt: 1,
  }));
  const result = await runtime.invoke(
    call(ref("event", "index_users", { owner: "UserCreated" }), { kind: "event_batch", events }),
  );
  assertEquals(
    value(result),
    [1, 2, 3].map((n) => ({
      kind: "UserCreated",
      email: `u${n}@x.io`,
      user: n,
    })),
  );
});

Deno.test("a primitive event payload is unwrapped from {payload: x}", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(event("manual_trigger", "ManualTrigger", {
    payload: "Hello, world!",
  }));
  assertEquals(value(result), { payload: "Hello, world!", type: "str" });
});

Deno.test("an event without a generated class gets payload, timestamp, id and attempt", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(event("untyped", "Untyped", { a: [1] }));
  assertEquals(value(result), { payload: { a: [1] }, id: "ev-1", attempt: 2, year: 2025 });
});

Deno.test("cron handlers are called with (), (state) or (req, state)", async () => {
  await using runtime = await start();
  const cron = (name: string) => call(ref("cron", name), { kind: "cron" });
  assertEquals(value(await runtime.invoke(cron("Tick"))), { data: "tick" });
  const withState = await runtime.invoke(cron("WithState"));
  assert(withState.ok);
  assertEquals(withState.effects, [{
    kind: "set_payload",
    event: "Cleaned",
    payload: { ok: true },
  }]);
  const daily = await runtime.invoke(cron("DailyCleanup"));
  assert(daily.ok);
  assertEquals(daily.effects.map((e) => e.kind), ["log", "trigger"]);
});

const CONNECTION = {
  connectionId: "c-1",
  path: "/ws/hello",
  connectedAt: "2025-02-03T04:05:06Z",
};

Deno.test("WebSocket handlers get generated connection and message objects", async () => {
  await using runtime = await start();
  const owner = "HelloWorld";
  const connect = await runtime.invoke(
    call(ref("ws_connect", "on_connect_handler", { owner }), {
      kind: "ws_connect",
      connection: CONNECTION,
    }),
  );
  assertEquals(value(connect), {
    type: "welcome",
    who: "c-1",
    kind: "HelloWorldConnection",
    year: 2025,
    path: "/ws/hello",
  });
  const message = await runtime.invoke(
    call(ref("ws_message", "on_message_handler", { owner }), {
      kind: "ws_message",
      message: {
        data: { type: "chat", payload: { text: "hi" } },
        timestamp: "2025-02-03T04:05:07Z",
      },
      connection: CONNECTION,
    }),
  );
  assertEquals(value(message), {
    type: "echo",
    original: { type: "chat", payload: { text: "hi" } },
    kind: "HelloWorldMessage",
  });
  assert(message.ok);
  assertEquals(message.effects, [
    { kind: "send", connectionId: "c-1", message: { seen: true } },
    { kind: "broadcast", message: { all: "chat" } },
  ]);
  const disconnect = await runtime.invoke(
    call(ref("ws_disconnect", "on_disconnect_handler", { owner }), {
      kind: "ws_disconnect",
      connection: CONNECTION,
    }),
  );
  assertEquals(value(disconnect), null);
});

Deno.test("a WebSocket message that does not match the message type fails the call", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(
    call(ref("ws_message", "on_message_handler", { owner: "HelloWorld" }), {
      kind: "ws_message",
      message: { data: "hello", timestamp: "2025-02-03T04:05:07Z" },
      connection: CONNECTION,
    }),
  );
  assert(!result.ok);
  assertEquals(result.error.name, "ValidationError");
});

function middleware(name: string, headers: Record<string, string> = {}) {
  return call(ref("middleware", name, { owner: "Test" }), {
    kind: "middleware",
    context: {
      payload: { a: 1 },
      queryParams: { q: "1" },
      headers,
      apiName: "Test",
      traceId: "trace-9",
    },
  });
}

Deno.test("a middleware sees the real context and may modify payload and query params", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(middleware("auth", { authorization: "Bearer ok" }));
  assertEquals(value(result), {
    payload: { a: 1, user: "alice" },
    queryParams: { q: "1", seen_by: "auth" },
  });
  const logging = await runtime.invoke(middleware("request_logging"));
  assertEquals(value(logging), null);
  assert(logging.ok);
  const log = logging.effects[0];
  assert(log?.kind === "log");
  assertEquals(log.fields, { api: "Test", trace: "trace-9" });
});

Deno.test("a middleware rejects with HttpError's status or any exception", async () => {
  await using runtime = await start();
  const denied = await runtime.invoke(middleware("auth"));
  assert(!denied.ok);
  assertEquals(denied.error.status, 401);
  assertEquals(denied.error.message, "Missing or bad token");
  const limited = await runtime.invoke(middleware("rate_limit"));
  assert(!limited.ok);
  assertEquals([limited.error.name, limited.error.message], ["RuntimeError", "Too many requests"]);
  assertEquals(limited.error.status, undefined);
});

Deno.test("hot reload serves the new version; a syntax error keeps the old one", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/hot.py`;
  await using runtime = await start();
  try {
    // One reference, as the engine's model holds it: the host keeps what it found for a handler
    // (its function, its classes) by the handler's number, and a reload must drop that.
    const handler = ref("api", "Hot", { file });
    const hot = () => runtime.invoke(call(handler, { kind: "api", request: {} }));
    await Deno.writeTextFile(
      file,
      "LOADS = []\nLOADS.append(1)\ndef handle_hot():\n    return 1\n",
    );
    assertEquals(value(await hot()), 1);
    assertEquals(value(await hot()), 1);
    await Deno.writeTextFile(file, "def handle_hot():\n    return 2\n");
    assertEquals(value(await hot()), 1, "not re-imported per call");
    assertEquals(await runtime.reload(file), null);
    assertEquals(value(await hot()), 2);
    await Deno.writeTextFile(file, "def handle_hot(:\n    return 3\n");
    const error = await runtime.reload(file);
    assertEquals(error?.name, "SyntaxError");
    assertStringIncludes(error?.message ?? "", `(${file}, line 1)`);
    assertEquals(value(await hot()), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no loadable libpython is a clear error naming every path tried", async () => {
  let error: unknown;
  try {
    await createPythonRuntime({
      root: ROOT,
      python: { library: "/nonexistent/libpython9.9.so", executable: "no-such-python3" },
      envLibrary: null,
    });
  } catch (e) {
    error = e;
  }
  assert(error instanceof PythonLibraryNotFoundError);
  assertStringIncludes(error.message, "/nonexistent/libpython9.9.so");
  assertStringIncludes(error.message, "no-such-python3");
});

Deno.test("a generated event class with id and attempt fields receives them", async () => {
  await using runtime = await start();
  const result = await runtime.invoke(event("on_order", "OrderPlaced", [1, 2]));
  assertEquals(value(result), { id: "ev-1", attempt: 2, payload: [1, 2] });
});

Deno.test("a handler blocking the event loop times out and close() still finishes", async () => {
  const runtime = await createPythonRuntime({ root: ROOT, closeTimeoutMs: 300 });
  const started = performance.now();
  const result = await runtime.invoke(api("Wedge", {}, 200));
  assert(!result.ok);
  assertEquals(result.reason, "timeout");
  await runtime.close();
  assert(performance.now() - started < 2500, "close() waited for the blocked loop");
});

Deno.test("reloading a generated module makes handlers use the new generated classes", async () => {
  const root = await Deno.makeTempDir();
  const generated = `${root}/src/generated/api`;
  const model = (version: number) =>
    `from pydantic import BaseModel\n\n\nclass ThingRequest(BaseModel):\n` +
    `    query_params: dict = {}\n    headers: dict = {}\n    VERSION: int = ${version}\n`;
  try {
    await Deno.mkdir(generated, { recursive: true });
    await Deno.mkdir(`${root}/src/handlers/api`, { recursive: true });
    await Deno.writeTextFile(`${root}/src/generated/__init__.py`, "");
    await Deno.writeTextFile(`${generated}/__init__.py`, "");
    await Deno.writeTextFile(`${generated}/thing.py`, model(1));
    await Deno.writeTextFile(
      `${root}/src/handlers/api/thing.py`,
      "from generated.api.thing import ThingRequest\n\n\n" +
        "def handle_thing(req):\n    return [req.VERSION, isinstance(req, ThingRequest)]\n",
    );
    await using runtime = await createPythonRuntime({ root });
    // One reference for every call, as in the hot reload test above.
    const handler = ref("api", "Thing", { file: `${root}/src/handlers/api/thing.py` });
    const thing = () => runtime.invoke(call(handler, { kind: "api", request: {} }));
    assertEquals(value(await thing()), [1, true]);
    await Deno.writeTextFile(`${generated}/thing.py`, model(2));
    assertEquals(value(await thing()), [1, true], "not re-imported per call");
    assertEquals(await runtime.reload(`${generated}/thing.py`), null);
    assertEquals(value(await thing()), [2, true]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("reloading a shared module reaches handlers through every import form, with fresh state", async () => {
  const root = await Deno.makeTempDir();
  // A namespace package (no __init__.py), imported directly, as an attribute and through another.
  const greeting = (version: number) =>
    `VERSION = ${version}\nCALLS = []\n\n\ndef greet():\n    CALLS.append(1)\n` +
    `    return [VERSION, len(CALLS)]\n`;
  try {
    await Deno.mkdir(`${root}/src/lib`, { recursive: true });
    await Deno.mkdir(`${root}/src/handlers/api`, { recursive: true });
    await Deno.writeTextFile(`${root}/src/lib/greeting.py`, greeting(1));
    await Deno.writeTextFile(
      `${root}/src/lib/wrap.py`,
      "from lib.greeting import greet\n\n\ndef wrapped():\n    return greet()\n",
    );
    await Deno.writeTextFile(
      `${root}/src/handlers/api/greet.py`,
      "from lib import greeting\nfrom lib.wrap import wrapped\n\n\n" +
        "def handle_greet():\n    return [greeting.greet(), wrapped()]\n",
    );
    await using runtime = await createPythonRuntime({ root });
    const greet = () =>
      runtime.invoke(call(ref("api", "Greet", { file: `${root}/src/handlers/api/greet.py` }), {
        kind: "api",
        request: {},
      }));
    assertEquals(value(await greet()), [[1, 1], [1, 2]]);
    await Deno.writeTextFile(`${root}/src/lib/greeting.py`, greeting(2));
    assertEquals(await runtime.reload(`${root}/src/lib/greeting.py`), null);
    assertEquals(value(await greet()), [[2, 1], [2, 2]]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("close() waits for calls in flight to finish", async () => {
  const runtime = await createPythonRuntime({ root: ROOT });
  const sleepy = runtime.invoke(api("Sleepy"));
  await runtime.close();
  assertEquals(value(await sleepy), { data: "slept" });
  const after = await runtime.invoke(api("ReturnsNone"));
  assert(!after.ok);
  assertEquals(after.error.message, "The Python runtime is closed");
});

Deno.test("twenty blocking sync handlers run on threads at the same time", async () => {
  await using runtime = await start();
  await runtime.reload(ref("api", "Blocking").file);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 20 }, () => runtime.invoke(api("Blocking"))),
  );
  for (const result of results) assertEquals(value(result), { data: "blocked" });
  const elapsed = performance.now() - started;
  assert(elapsed < 4500, `took ${elapsed} ms`);
});

Deno.test("a library that is not libpython is reported with the missing symbol", async () => {
  let error: unknown;
  try {
    await createPythonRuntime({
      root: ROOT,
      python: { library: null, executable: "python3" },
      envLibrary: "libc.so.6",
    });
  } catch (e) {
    error = e;
  }
  assert(error instanceof PythonLibraryNotFoundError);
  assertStringIncludes(error.message, "libc.so.6: ");
  assertStringIncludes(error.message, "undefined symbol: Py");
});

/** Restarts as the runtime reports them; `next()` fails after 10 s without one. */
function restarts() {
  const seen: PythonRestart[] = [];
  const next = Promise.withResolvers<PythonRestart>();
  return {
    seen,
    next: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("No restart within 10 s")), 10_000);
      });
      try {
        return await Promise.race([next.promise, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    onRestart: (restart: PythonRestart) => {
      seen.push(restart);
      next.resolve(restart);
    },
  };
}

Deno.test("a segfaulting handler fails fast, names itself, and the next call runs on a new host", async () => {
  const told = restarts();
  await using runtime = await createPythonRuntime({ root: ROOT, onRestart: told.onRestart });
  assertEquals(value(await runtime.invoke(api("ReturnsNone"))), null);
  const started = performance.now();
  const crashed = await runtime.invoke(api("Segfault", {}, 20_000));
  assert(performance.now() - started < 5_000, "the call waited for its timeout");
  assert(!crashed.ok);
  assertEquals([crashed.reason, crashed.error.name], ["error", "PythonRuntimeError"]);
  assertStringIncludes(crashed.error.message, "crashed (signal SIGSEGV)");
  assertStringIncludes(crashed.error.message, '"Segfault"');
  // Made while the new host starts, which takes longer than this call's timeout: its deadline
  // counts from when it is sent, once the host is up.
  assertEquals(value(await runtime.invoke(api("ReturnsNone", {}, 50))), null);
  const restart = await told.next();
  assertEquals([restart.reason, restart.handlers], ["crashed", ["Segfault"]]);
  assertEquals(value(await runtime.invoke(api("ReturnsNone"))), null);
  assertEquals(told.seen.length, 1);
});

for (const handler of ["Wedge", "Spin"]) {
  Deno.test(`a handler blocking the loop ("${handler}") is named and its host replaced`, async () => {
    const told = restarts();
    await using runtime = await createPythonRuntime({
      root: ROOT,
      blockedGraceMs: 300,
      onRestart: told.onRestart,
    });
    await runtime.reload(ref("api", "ReturnsNone").file);
    const blocked = runtime.invoke(api(handler, {}, 300));
    const other = runtime.invoke(api("ReturnsNone", {}, 300));
    assertEquals((await blocked).ok, false);
    assertEquals((await other).ok, false, "the loop answered while blocked");
    const restart = await told.next();
    assertEquals([restart.reason, restart.handlers], ["blocked", [handler]]);
    assertStringIncludes(restart.message, `Handler "${handler}" blocked the Python event loop`);
    assertEquals(value(await runtime.invoke(api("ReturnsNone"))), null);
    assertEquals(told.seen.length, 1);
  });
}

Deno.test("sync handlers that never return: the host is replaced once they hold every worker thread", async () => {
  const told = restarts();
  await using runtime = await createPythonRuntime({
    root: ROOT,
    syncThreads: 2,
    blockedGraceMs: 300,
    onRestart: told.onRestart,
  });
  const first = await runtime.invoke(api("Stuck", {}, 200));
  assertEquals([first.ok, !first.ok && first.reason], [false, "timeout"]);
  // One of two threads held: the other still runs sync handlers, nothing is replaced.
  await new Promise((resolve) => setTimeout(resolve, 400));
  assertEquals(value(await runtime.invoke(api("ReturnsNone"))), null);
  assertEquals(told.seen, []);
  const second = await runtime.invoke(api("Stuck", {}, 200));
  assertEquals(second.ok, false);
  const restart = await told.next();
  assertEquals([restart.reason, restart.handlers], ["stuck", ["Stuck"]]);
  assertStringIncludes(restart.message, '("Stuck") hold all 2 Python worker threads');
  // The new host has its threads free.
  assertEquals(value(await runtime.invoke(api("ReturnsNone"))), null);
  assertEquals(told.seen.length, 1);
});

Deno.test("a slow coroutine that answers its cancellation does not replace the host", async () => {
  const told = restarts();
  await using runtime = await createPythonRuntime({
    root: ROOT,
    blockedGraceMs: 300,
    onRestart: told.onRestart,
  });
  const hanging = await runtime.invoke(api("Hang", {}, 200));
  assertEquals(hanging.ok, false);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assertEquals(told.seen, []);
  assertEquals(value(await runtime.invoke(api("WasCancelled"))), { data: 1 });
});
