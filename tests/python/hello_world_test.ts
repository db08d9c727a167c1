/**
 * docs/compatibility.md#the-hello-world-example H1-H16 against the real CLI: `rohas dev --no-watch
 * --workbench` on a copy of examples/hello-world (memory adapter, Python handlers through
 * libpython), over HTTP and WebSocket on loopback. Published events and handler logs are read back
 * through the workbench API.
 */

import { deepStrictEqual as assertEquals, match, ok as assert } from "node:assert/strict";
import { preparedCopy } from "./_hello_world.ts";
import { startDevServer } from "./_server.ts";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const KEY = "FRmz/+AjTYCUFlBMio479A==";

async function json(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`Not JSON (${response.status}): ${text}`);
  }
}

interface Step {
  name: string;
  success: boolean;
  triggered_events?: { event_name: string }[];
}

interface Trace {
  id: string;
  entry_point: string;
  entry_type: string;
  status: string;
  started_at: string;
  steps: Step[];
}

interface LogEntry {
  level: string;
  message: string;
  trace_id?: string;
  handler?: string;
}

/** Polls `read` until `done(value)` or the deadline; returns the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

function published(trace: Trace | undefined, stepName: string): string[] {
  const step = trace?.steps.find((s) => s.name === stepName);
  return (step?.triggered_events ?? []).map((e) => e.event_name);
}

async function timed(request: Promise<Response>): Promise<[unknown, number, number]> {
  const started = performance.now();
  const response = await request;
  const body = await json(response);
  return [body, response.status, performance.now() - started];
}

/**
 * Frames of a WebSocket as a queue: `next()` waits for the next one (with a deadline). A close
 * fails the waiting `next()` at once with its code and reason, and a missed deadline says what the
 * server printed, so a failure names its cause instead of only "no frame".
 */
function frames(socket: WebSocket, serverOutput: () => string) {
  const queue: string[] = [];
  const waiters: { take(frame: string): void; fail(error: Error): void }[] = [];
  let closed: string | null = null;
  socket.onmessage = (event) => {
    const waiter = waiters.shift();
    if (waiter) waiter.take(String(event.data));
    else queue.push(String(event.data));
  };
  socket.addEventListener("close", (event) => {
    closed = `the server closed the socket (${event.code} ${event.reason})`;
    for (const waiter of waiters.splice(0)) waiter.fail(new Error(`No WebSocket frame: ${closed}`));
  });
  return {
    next(timeoutMs = 30_000): Promise<unknown> {
      const ready = queue.shift();
      if (ready !== undefined) return Promise.resolve(JSON.parse(ready));
      if (closed !== null) return Promise.reject(new Error(`No WebSocket frame: ${closed}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const tail = serverOutput().slice(-4000);
          reject(new Error(`No WebSocket frame in ${timeoutMs} ms; the server printed:\n${tail}`));
        }, timeoutMs);
        waiters.push({
          take(frame) {
            clearTimeout(timer);
            resolve(JSON.parse(frame));
          },
          fail(error) {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
  };
}

/**
 * Opens a socket with its frame queue attached before the connection opens: a frame the server
 * sends at once (the welcome) can be dispatched before code awaiting the open event runs again.
 */
async function open(
  url: string,
  serverOutput: () => string,
): Promise<{ socket: WebSocket; incoming: ReturnType<typeof frames> }> {
  const socket = new WebSocket(url);
  const incoming = frames(socket, serverOutput);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
  });
  return { socket, incoming };
}

async function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return;
  const closed = new Promise((resolve) => socket.addEventListener("close", resolve));
  socket.close();
  await closed;
}

Deno.test({
  name: "hello-world runs end to end under rohas dev as docs/compatibility.md describes",
  sanitizeResources: true,
  async fn(t) {
    await using copy = await preparedCopy();
    await using server = await startDevServer(copy.root, { workbench: true });
    const url = (path: string) => `${server.base}${path}`;
    const headers = { "X-API-Key": KEY };
    const traces = async () =>
      await json(await fetch(url("/api/workbench/traces?limit=200"), { headers })) as Trace[];
    const logs = async () =>
      await json(await fetch(url("/api/workbench/logs?limit=500"), { headers })) as LogEntry[];
    const messages = async () => (await logs()).map((l) => `${l.level} ${l.message}`);
    const eventTraces = (all: Trace[], event: string) =>
      all.filter((t) => t.entry_type === "event" && t.entry_point === event);

    await t.step("H1 GET /health answers ok with an ISO timestamp", async () => {
      const [body, status] = await timed(fetch(url("/health")));
      assertEquals(status, 200);
      const data = (body as { data: { status: string; timestamp: string } }).data;
      assertEquals(data.status, "ok");
      match(data.timestamp, ISO);
    });

    await t.step("H2 POST /users with a flat JSON body returns the user", async () => {
      const [body, status] = await timed(fetch(url("/users"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Alice", email: "alice@example.com" }),
      }));
      assertEquals(status, 200);
      const { createdAt, ...rest } = (body as { data: Record<string, unknown> }).data;
      assertEquals(rest, { id: 1, name: "Alice", email: "alice@example.com" });
      match(String(createdAt), ISO);
    });

    await t.step(
      "H2 UserCreated is published once; send_welcome_email emails and triggers",
      async () => {
        const done = (a: Trace[]) =>
          eventTraces(a, "UserCreated").some((t) => t.status !== "running");
        const all = await until(traces, done);
        const api = all.find((t) => t.entry_point === "CreateUser");
        assertEquals(published(api, "CreateUser triggers"), ["UserCreated"]);
        const [delivery, ...more] = eventTraces(all, "UserCreated");
        assertEquals(more, []);
        assertEquals(delivery?.status, "success");
        assertEquals(published(delivery, "UserCreated triggers"), ["WelcomeEmailSent"]);
        assert((await messages()).includes("info Sending welcome email to: alice@example.com"));
      },
    );

    await t.step(
      "H3 GET /test passes three middlewares, logs and publishes three events",
      async () => {
        const [body, status] = await timed(fetch(url("/test")));
        assertEquals([status, body], [200, { data: "Hello, world!s" }]);
        const all = await until(traces, (a) => eventTraces(a, "ManualTrigger").length > 0);
        const test = all.find((t) => t.entry_point === "Test");
        assertEquals(test?.steps.map((s) => [s.name, s.success]), [
          ["middleware:auth", true],
          ["middleware:rate_limit", true],
          ["middleware:request_logging", true],
          ["Test", true],
          ["Test triggers", true],
        ]);
        assertEquals(published(test, "Test triggers"), [
          "UserCreated",
          "ManualTrigger",
          "BottleneckDetected",
        ]);
        const expected = [
          "info Manual trigger received: Hello, world!",
          "info Sending welcome email to: hello@world.com", // created_at mapped to createdAt
        ];
        const lines = await until(messages, (m) => expected.every((e) => m.includes(e)));
        // Default level info: the debug and trace lines are filtered out.
        const hello = lines.filter((l) => / Hello, world!$/.test(l) && l.split(" ").length === 3)
          .toReversed();
        assertEquals(hello, [
          "info Hello, world!",
          "error Hello, world!",
          "warn Hello, world!",
          "warn Hello, world!",
        ]);
        for (const line of expected) assert(lines.includes(line), line);
        // state.logger lines carry the request's trace id and the handler's name.
        const own = (await logs()).filter((l) => l.message === "Hello, world!");
        assertEquals(own.map((l) => [l.trace_id, l.handler]), own.map(() => [test?.id, "Test"]));
        assertEquals(own.length, 4);
      },
    );

    await t.step("H4-H7 timeline endpoints answer after their delays", async () => {
      const results = await Promise.all([
        timed(fetch(url("/timeline/fast"))),
        timed(fetch(url("/timeline/slow"))),
        timed(fetch(url("/timeline/very-slow"))),
        timed(fetch(url("/timeline/multi-step"))),
      ]);
      const expected: [string, number][] = [
        ["Fast operation completed in ~50ms", 50],
        ["Slow operation completed in ~2s", 2000],
        ["Very slow operation completed in ~6s", 6000],
        ["Multi-step operation completed", 2000],
      ];
      results.forEach(([body, status, ms], i) => {
        const [data, minimum] = expected[i]!;
        assertEquals([status, body], [200, { data }]);
        assert(ms >= minimum, `${data}: answered after ${ms} ms`);
      });
      const handled = (a: Trace[]) =>
        eventTraces(a, "FastCompleted").filter((t) => t.status !== "running").length >= 2;
      const all = await until(traces, handled);
      const fast = eventTraces(all, "FastCompleted");
      assertEquals(fast.map((t) => [t.status, t.steps[0]?.name]), [
        ["success", "fast_completed"],
        ["success", "fast_completed"],
      ]);
      const multi = all.find((t) => t.entry_point === "TimelineTestMultiStep");
      assertEquals(published(multi, "TimelineTestMultiStep triggers"), [
        "ValidationComplete",
        "ProcessingComplete",
        "ExternalCallComplete",
        "FinalizationComplete",
        "ValidationComplete",
        "ProcessingComplete",
        "ExternalCallComplete",
        "FinalizationComplete",
      ]);
    });

    await t.step("H8-H11 WebSocket welcome, echo, non-JSON text, close", async () => {
      const { socket, incoming } = await open(
        `ws://127.0.0.1:${server.port}/ws/hello`,
        server.output,
      );
      try {
        const welcome = await incoming.next() as {
          data: { type: string; payload: { message: string } };
          timestamp: string;
        };
        assertEquals(welcome.data.type, "welcome");
        // `<instance id>~<uuid>` (docs/compatibility.md#websockets).
        match(welcome.data.payload.message, /^Hello! You are connected as [^\s~]+~[0-9a-f-]{36}$/);
        match(welcome.timestamp, ISO);

        const chat = { type: "chat", payload: { text: "hi" } };
        socket.send(JSON.stringify(chat));
        const echo = await incoming.next() as { data: unknown; timestamp: string };
        assertEquals(echo.data, {
          type: "echo",
          payload: { original: chat, response: "Message received successfully!" },
        });
        match(echo.timestamp, ISO);

        // H10: the text becomes {"data": "hello"}, which is not a WebSocketMessage: the engine
        // answers with an error frame instead of calling the handler, and the socket stays open.
        socket.send("hello");
        const rejected = await incoming.next() as { error?: string; details?: unknown[] };
        assertEquals(rejected.error, 'Message does not match "WebSocketMessage"');
        assert((rejected.details?.length ?? 0) > 0);
        socket.send(JSON.stringify(chat));
        const next = await incoming.next() as { data?: { type?: string } };
        assertEquals(next.data, echo.data);
        assertEquals(socket.readyState, WebSocket.OPEN);
      } finally {
        await closeSocket(socket);
      }
      const ws = (all: Trace[], phase: string) =>
        all.filter((t) =>
          t.entry_type === "websocket" && t.entry_point === `HelloWorld (${phase})`
        );
      const all = await until(
        traces,
        (a) => ws(a, "disconnect").some((t) => t.status !== "running"),
      );
      const steps = (t: Trace | undefined) => t?.steps.map((s) => [s.name, s.success]);
      // H8: the three middlewares run before the upgrade (docs/compatibility.md#websockets), then
      // onConnect.
      assertEquals(steps(ws(all, "upgrade")[0]), [
        ["middleware:auth", true],
        ["middleware:rate_limit", true],
        ["middleware:request_logging", true],
      ]);
      assertEquals(steps(ws(all, "connect")[0]), [["on_connect_handler", true]]);
      // H9: each echoed message is a trace whose handler step succeeded. H10: the text that does
      // not match WebSocketMessage never reached the handler; its trace has a failed validation step.
      // Traces started in the same millisecond have no defined order, so the three are compared
      // as a set (the frames above already proved the order of the answers).
      const first = (t: Trace) => JSON.stringify(steps(t)?.[0]);
      assertEquals(ws(all, "message").map(first).sort(), [
        '["on_message_handler",true]',
        '["on_message_handler",true]',
        '["validation",false]',
      ]);
      // H11: onDisconnect ran.
      assertEquals(steps(ws(all, "disconnect")[0])?.at(-1), ["on_disconnect_handler", true]);
    });

    await t.step("H13 unknown route is 404, wrong method is 405", async () => {
      const missing = await fetch(url("/nope"));
      await missing.body?.cancel();
      assertEquals(missing.status, 404);
      const wrong = await fetch(url("/health"), { method: "POST" });
      await wrong.body?.cancel();
      assertEquals(wrong.status, 405);
    });

    await t.step(
      "H12 running the cron job now logs and publishes both cleanup steps twice",
      async () => {
        const run = await json(
          await fetch(url("/api/workbench/crons/DailyCleanup/run"), { method: "POST", headers }),
        ) as { success: boolean };
        assertEquals(run.success, true);
        const all = await until(
          traces,
          (a) => a.some((t) => t.entry_point === "DailyCleanup" && t.status !== "running"),
        );
        const cron = all.find((t) => t.entry_point === "DailyCleanup");
        assertEquals(cron?.status, "success");
        assertEquals(published(cron, "DailyCleanup triggers"), [
          "CleanupStep1",
          "CleanupStep2",
          "CleanupStep1",
          "CleanupStep2",
        ]);
        assert((await messages()).includes("info Daily cleanup finished"));
      },
    );

    await t.step("H14 the workbench lists 7 APIs, 1 WebSocket, 1 cron and 15 events", async () => {
      for (const auth of [headers, { authorization: `Bearer ${KEY}` }]) {
        const endpoints = await json(
          await fetch(url("/api/workbench/endpoints"), { headers: auth }),
        );
        const { apis, websockets, crons, events } = endpoints as Record<string, unknown[]>;
        assertEquals([apis?.length, websockets?.length, crons?.length, events?.length], [
          7,
          1,
          1,
          15,
        ]);
      }
      // Loopback needs no key in dev (docs/design.md#d12-workbench), but a foreign page without the
      // key is refused.
      const foreign = await fetch(url("/api/workbench/endpoints"), {
        headers: { origin: "http://elsewhere.example" },
      });
      await foreign.body?.cancel();
      assert(foreign.status === 401 || foreign.status === 403, String(foreign.status));
    });

    await t.step(
      "H15 triggering ManualTrigger from the workbench reaches manual_trigger",
      async () => {
        const triggered = await json(
          await fetch(url("/api/workbench/events/ManualTrigger/trigger"), {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify({ payload: { payload: "hi" } }),
          }),
        ) as Record<string, unknown>;
        assertEquals([triggered.success, triggered.event, triggered.payload], [
          true,
          "ManualTrigger",
          { payload: "hi" },
        ]);
        const lines = await until(messages, (m) => m.includes("info Manual trigger received: hi"));
        assert(lines.includes("info Manual trigger received: hi"));
      },
    );

    await t.step("H16 traces come newest first, limited", async () => {
      const five = await json(
        await fetch(url("/api/workbench/traces?limit=5"), { headers }),
      ) as Trace[];
      assertEquals(five.length, 5);
      const starts = five.map((t) => Date.parse(t.started_at));
      assertEquals(starts, starts.toSorted((a, b) => b - a));
      for (const trace of five) {
        assert(["api", "event", "cron", "websocket"].includes(trace.entry_type));
      }
    });
  },
});

Deno.test("editing a Python handler under rohas dev serves the new code; a syntax error keeps the old", async () => {
  await using copy = await preparedCopy();
  await using server = await startDevServer(copy.root, { watch: true });
  const file = `${copy.root}/src/handlers/api/health.py`;
  const status = async () =>
    ((await json(await fetch(`${server.base}/health`))) as { data: { status: string } }).data
      .status;
  assertEquals(await status(), "ok");
  const source = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, source.replace('status="ok"', 'status="edited"'));
  assertEquals(await until(status, (s) => s === "edited"), "edited");
  await Deno.writeTextFile(file, "def handle_health(:\n");
  await until(() => Promise.resolve(server.output()), (text) => text.includes("Reload failed"));
  assert(server.output().includes(`${file}, line 1`), server.output());
  assertEquals(await status(), "edited");
});
