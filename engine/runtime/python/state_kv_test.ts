// state.kv in Python handlers: the host holds no store; each operation is one line to the server,
// which owns the store (here a memory backend, and the real NATS one for its errors).
import { assertEquals } from "./_test_assert.ts";
import type { InvocationResult } from "../contract.ts";
import { createPythonRuntime } from "./mod.ts";
import {
  createMemoryKvBackend,
  hostBackend,
  type KvHost,
  openStateBackend,
} from "../../../state/mod.ts";

const ROOT = new URL("./testdata/project", import.meta.url).pathname;
const natsUrl = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";

function api(name: string, file: string, body: unknown) {
  return {
    handler: {
      kind: "api" as const,
      name,
      owner: name,
      language: "python" as const,
      file: `${ROOT}/src/handlers/api/${file}`,
      exports: [],
      profile: "default",
    },
    input: { kind: "api" as const, request: { body, queryParams: {}, headers: {} } },
    traceId: "trace-kv",
    timeoutMs: 10_000,
  };
}

function value(result: InvocationResult): unknown {
  if (!result.ok) throw new Error(`Call failed: ${result.error.name}: ${result.error.message}`);
  return result.output.kind === "json" ? result.output.value : result.output;
}

async function open(host: KvHost) {
  const runtime = await createPythonRuntime({
    root: ROOT,
    answerKv: (request) => host.answer(request),
  });
  return Object.assign(runtime, { [Symbol.asyncDispose]: () => runtime.close() });
}

Deno.test("an async Python handler gets, sets, deletes, lists and commits atomically in the server's store", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = await open(host);
  const out = value(await runtime.invoke(api("KvTasks", "kv_tasks.py", { id: 7, title: "Write" })));
  assertEquals(out, {
    entry: { key: ["tasks", 7], value: { title: "Write" }, stamped: 20 },
    listed: [["tasks", 7]],
    limited: 1,
    stale: false,
    fresh: true,
    after: { title: "done" },
    missing: [null, null],
  });
  assertEquals((await host.kv.get(["tasks", 7])).value, { title: "done" });
  await host.close();
});

Deno.test("a sync Python handler runs state.kv operations with state.kv.wait()", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = await open(host);
  assertEquals(value(await runtime.invoke(api("KvSync", "kv_sync.py", {}))), ["from a thread"]);
  await host.close();
});

Deno.test("state.kv errors reach Python as the classes generated.state exports, by name", async () => {
  const backend = await openStateBackend({ type: "nats", url: natsUrl, path: "" }, {
    root: ROOT,
    namespace: "python-kv-errors",
  });
  const host = hostBackend(backend);
  await using runtime = await open(host);
  const out = value(await runtime.invoke(api("KvErrors", "kv_errors.py", {}))) as {
    unsupported: string[];
    input: string;
    value: string;
  };
  assertEquals(out.unsupported[0], "KvUnsupportedError");
  assertEquals(
    out.unsupported[1]?.startsWith("Cannot commit an atomic operation over 2 keys"),
    true,
  );
  assertEquals([out.input, out.value], ["KvInputError", "KvInputError"]);
  await host.close();
});

Deno.test("state.kv.wait() in an async handler raises StateError instead of blocking the loop", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = await open(host);
  const call = api("KvWaitInAsync", "kv_errors.py", {});
  const out = value(await runtime.invoke(call)) as string[];
  assertEquals(out[0], "StateError");
  assertEquals(out[1]?.startsWith("Cannot use state.kv.wait() in an async handler"), true);
  await host.close();
});
