import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { assemble } from "./assemble.ts";
import { createApp } from "./create_app.ts";
import { ServeError } from "./errors.ts";
import { createMemoryAdapter } from "../adapters/mod.ts";
import type { Adapter } from "../adapters/mod.ts";
import { createMemoryStore } from "../telemetry/mod.ts";
import type { TelemetryStore } from "../telemetry/mod.ts";
import { loadConfig } from "../project/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";
import { manifest } from "../examples/hello-ts/src/generated/manifest.ts";
import { createMemoryKvBackend, kvOver, openState } from "../state/mod.ts";

const root = fileURLToPath(new URL("../examples/hello-ts/", import.meta.url));

/** `target` with some methods replaced; the others are called on `target` itself. */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T];
      const value = Reflect.get(object, key, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

/** A store that tells `closed` when it closes. */
function trackedStore(closed: string[]): TelemetryStore {
  const store = createMemoryStore();
  return withOverrides(store, {
    close: async () => {
      await store.close();
      closed.push("telemetry");
    },
  });
}

function trackedRuntime(closed: string[]): HandlerRuntime {
  const runtime = createInProcessRuntime({ manifest });
  return {
    invoke: (invocation) => runtime.invoke(invocation),
    reload: (file) => runtime.reload(file),
    close: async () => {
      await runtime.close();
      closed.push("runtime");
    },
  };
}

/** A memory adapter whose start fails, as a broker that cannot be reached would. */
function unreachableAdapter(closed: string[]): Adapter {
  const adapter = createMemoryAdapter();
  return withOverrides(adapter, {
    start: () => Promise.reject(new Error("Cannot connect to the broker")),
    close: async () => {
      await adapter.close();
      closed.push("adapter");
    },
  });
}

Deno.test("a start that fails at the broker closes what started before it, newest first", async () => {
  const closed: string[] = [];
  const { config } = await loadConfig(root, { env: {} });
  await assert.rejects(
    assemble({
      project: { kind: "root", root },
      mode: "production",
      config,
      runtime: { kind: "given", runtime: trackedRuntime(closed) },
      telemetry: { kind: "store", store: trackedStore(closed) },
      events: { kind: "adapter", adapter: unreachableAdapter(closed) },
      cron: false,
    }),
    { message: "Cannot connect to the broker" },
  );
  assert.deepEqual(closed, ["adapter", "telemetry", "runtime"]);
});

Deno.test("a schema with errors starts nothing and reports every diagnostic", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas_assemble_" });
  try {
    await Deno.mkdir(`${dir}/schema`);
    // A syntax error and a reference to an undefined type: both are reported in one run.
    await Deno.writeTextFile(
      `${dir}/schema/a.ro`,
      'model User {\n  id Int @id\n  name String @@@\n}\napi GetUser {\n  method: GET\n  path: "/u"\n  response: Missing\n}\n',
    );
    const error = await assemble({
      project: { kind: "path", path: dir, cwd: dir },
      mode: "production",
      runtime: { kind: "manifest", manifest: { root: dir, modules: {} } },
      telemetry: { kind: "off" },
    }).then(() => null, (e) => e);
    assert.ok(error instanceof ServeError);
    assert.equal(error.failure.kind, "diagnostics");
    const codes = error.failure.kind === "diagnostics"
      ? error.failure.diagnostics.map((d) => d.code)
      : [];
    assert.equal(codes.length, 2, codes.join(", "));
    assert.ok(codes.includes("syntax-error"), codes.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createApp records into the store it is given, not a memory store of its own", async () => {
  const store = createMemoryStore();
  const { config } = await loadConfig(root, { env: {} });
  await using app = Object.assign(await createApp({ manifest, root, config, cron: false, store }), {
    [Symbol.asyncDispose]: () => app.close(),
  });
  const res = await app.handler(new Request("http://app.test/hello"));
  await res.body?.cancel();
  const trace = await store.getTrace(res.headers.get("x-rohas-trace-id") ?? "");
  assert.equal(trace?.entry_point, "Hello");
});

Deno.test("createApp publishes through the adapter it is given", async () => {
  const adapter = createMemoryAdapter();
  const published: string[] = [];
  // A handler's triggers go out as one series (`publishBatch`), a schema's `triggers:` one by one.
  const watched = withOverrides<Adapter>(adapter, {
    publish: (envelope) => {
      published.push(envelope.topic);
      return adapter.publish(envelope);
    },
    publishBatch: (envelopes) => {
      published.push(...envelopes.map((envelope) => envelope.topic));
      return adapter.publishBatch(envelopes);
    },
  });
  const { config } = await loadConfig(root, { env: {} });
  await using app = Object.assign(
    await createApp({ manifest, root, config, cron: false, adapter: watched }),
    { [Symbol.asyncDispose]: () => app.close() },
  );
  const res = await app.handler(
    new Request("http://app.test/users", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada", email: "ada@example.com" }),
    }),
  );
  await res.body?.cancel();
  await app.engine.idle();
  assert.ok(published.includes("UserCreated"), published.join(", "));
});

Deno.test("createApp reads the schema from the directory it is given", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas_assemble_" });
  try {
    await Deno.writeTextFile(
      `${dir}/only.ro`,
      'api Hello {\n  method: GET\n  path: "/hello"\n  response: String\n}\n',
    );
    const { config } = await loadConfig(root, { env: {} });
    await using app = Object.assign(
      await createApp({ manifest, root, schemaDir: dir, config, cron: false }),
      { [Symbol.asyncDispose]: () => app.close() },
    );
    assert.deepEqual(app.engine.model().routes.map((r) => r.api), ["Hello"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a part that fails to close is logged at shutdown, not swallowed", async () => {
  const store = createMemoryStore();
  const runtime = createInProcessRuntime({ manifest });
  const { config } = await loadConfig(root, { env: {} });
  const app = await assemble({
    project: { kind: "root", root },
    mode: "production",
    config,
    runtime: {
      kind: "given",
      runtime: withOverrides(runtime, {
        close: () => Promise.reject(new Error("The runtime is stuck")),
      }),
    },
    telemetry: { kind: "store", store },
    cron: false,
  });
  await app.close();
  await runtime.close();
  const logs = await store.queryLogs({});
  assert.ok(
    logs.some((l) =>
      l.level === "error" && l.message === "Cannot close the handler runtime: The runtime is stuck"
    ),
    JSON.stringify(logs.map((l) => l.message)),
  );
});

Deno.test("createApp hands its handlers the store it is given as state.kv, and leaves it open", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const { config } = await loadConfig(root, { env: {} });
  const app = await createApp({ manifest, root, config, cron: false, state: kv });
  const created = await app.handler(
    new Request("http://app.test/users", {
      method: "POST",
      headers: { "content-type": "application/json", "x-user-id": "ada" },
      body: JSON.stringify({ name: "Ada", email: "ada@example.com" }),
    }),
  );
  assert.equal(created.status, 200, await created.text());
  const found = await app.handler(new Request("http://app.test/people/ada"));
  assert.equal((await found.json()).data.name, "Ada");
  await app.close();
  // The caller's store: the app wrote to it and did not close it.
  assert.equal(
    ((await kv.get(["users", "ada"])).value as { email: string }).email,
    "ada@example.com",
  );
  await kv.close();
});

Deno.test("the assembly opens the [state] the config names: what handlers write there outlives the app", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas_assemble_state_" });
  try {
    const { config } = await loadConfig(root, { env: {} });
    config.state = { type: "denokv", path: `${dir}/state.kv`, url: "" };
    const app = await assemble({
      project: { kind: "root", root },
      mode: "production",
      config,
      runtime: { kind: "manifest", manifest },
      telemetry: { kind: "memory" },
      events: { kind: "memory" },
      cron: false,
    });
    const created = await app.engine.handler(
      new Request("http://app.test/users", {
        method: "POST",
        headers: { "content-type": "application/json", "x-user-id": "bo" },
        body: JSON.stringify({ name: "Bo", email: "bo@example.com" }),
      }),
    );
    assert.equal(created.status, 200, await created.text());
    assert.equal(app.kv.type, "denokv");
    await app.close();
    const again = await openState(config.state, { root, namespace: "hello-ts" });
    assert.equal(((await again.get(["users", "bo"])).value as { name: string }).name, "Bo");
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an embedded (prepared) schema declaring a flow control the engine does not enforce is refused, naming handler and event", async () => {
  const { parseSchema } = await import("../parser/mod.ts");
  const { buildAppModel } = await import("./app_model.ts");
  const { schema } = parseSchema(
    "type P { id: String }\nevent Paid { payload: P handler: [ship] on ship { priority: 7 } }",
  );
  const { config } = await loadConfig(root, { env: {} });
  const model = buildAppModel(schema, config, { root, exists: () => true });
  const error = await assemble({
    project: { kind: "prepared", root, schema, model },
    mode: "production",
    runtime: { kind: "manifest", manifest: { root, modules: {} } },
    telemetry: { kind: "off" },
  }).then(() => null, (e) => e);
  assert.ok(error instanceof ServeError, String(error));
  assert.equal(error.failure.kind, "diagnostics");
  if (error.failure.kind !== "diagnostics") return;
  assert.deepEqual(error.failure.diagnostics.map((d) => d.code), ["flow-control-not-enforced"]);
  assert.match(
    error.failure.diagnostics[0]!.message,
    /'priority' of handler 'ship' \(event 'Paid'\)/,
  );
});
