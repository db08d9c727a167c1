// state.kv in the TypeScript runtimes: the Worker runtime forwards each operation to the engine
// (which owns the store), the in-process runtime uses the store directly; both see one store.
import { deepStrictEqual as assertEquals, equal, match } from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { createWorkerRuntime } from "./worker_runtime.ts";
import { createInProcessRuntime } from "./in_process_runtime.ts";
import type { HandlerRuntime, InvocationResult } from "./contract.ts";
import { apiInput, call, permissionsWith, PROJECT, tsHandler } from "./_test_helpers.ts";
import {
  createMemoryKvBackend,
  hostBackend,
  type KvHost,
  openStateBackend,
} from "../../state/mod.ts";

const FILE = "src/handlers/api/kv_tasks.ts";
const tasks = tsHandler("api", FILE, ["handleKvTasks"]);
const read = tsHandler("api", FILE, ["handleKvRead"]);
const twoKeys = tsHandler("api", FILE, ["handleKvTwoKeys"]);
const badValue = tsHandler("api", FILE, ["handleKvBadValue"]);
const natsUrl = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";

function workers(host: KvHost, profile: Record<string, unknown> = {}) {
  const runtime = createWorkerRuntime({
    root: PROJECT,
    permissions: { ...permissionsWith(), defaults: { ...permissionsWith().defaults, ...profile } },
    answerKv: (request) => host.answer(request),
  });
  return Object.assign(runtime, { [Symbol.asyncDispose]: () => runtime.close() });
}

async function inProcess(host: KvHost) {
  const namespace = await import(pathToFileURL(`${PROJECT}/${FILE}`).href);
  const manifest = { root: pathToFileURL(`${PROJECT}/`).href, modules: { [FILE]: namespace } };
  const runtime = createInProcessRuntime({ manifest, kv: host.kv });
  return Object.assign(runtime, { [Symbol.asyncDispose]: () => runtime.close() });
}

function value(result: InvocationResult): unknown {
  if (!result.ok) throw new Error(`${result.error.name}: ${result.error.message}`);
  return result.output.kind === "json" ? result.output.value : result.output;
}

async function roundTrip(runtime: HandlerRuntime, id: number) {
  return value(await runtime.invoke(call(tasks, apiInput({ id, title: "Write docs" }))));
}

const EXPECTED = (id: number) => ({
  type: "remote",
  entry: { key: ["tasks", id], value: { title: "Write docs" } },
  listed: [["tasks", id]],
  stale: false,
  fresh: true,
  after: { title: "done" },
});

/** The entry without its versionstamp (a counter), checked apart. */
function shape(out: unknown): Record<string, unknown> {
  const o = out as { entry: { versionstamp?: string } };
  match(o.entry.versionstamp ?? "", /^[0-9a-f]{20}$/);
  delete o.entry.versionstamp;
  return o;
}

Deno.test("a Worker handler gets, sets, deletes, lists and commits atomically through the engine's store", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = workers(host);
  assertEquals(shape(await roundTrip(runtime, 1)), EXPECTED(1));
  // The engine's own store holds what the Worker wrote.
  assertEquals((await host.kv.get(["tasks", 1])).value, { title: "done" });
  await host.close();
});

Deno.test("a Worker denied net and writes still uses state.kv: it is the framework's API, not a grant", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = workers(host, { net: false, write: false, read: false });
  assertEquals(shape(await roundTrip(runtime, 2)), EXPECTED(2));
  await host.close();
});

Deno.test("an in-process handler uses the store itself, and sees what a Worker handler wrote", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = await inProcess(host);
  await using pool = workers(host);
  await roundTrip(pool, 3);
  assertEquals(value(await runtime.invoke(call(read, apiInput({ id: 3 })))), { title: "done" });
  const out = shape(await roundTrip(runtime, 4));
  assertEquals([out.type, out.listed], ["memory", [["tasks", 3], ["tasks", 4]]]);
  await host.close();
});

Deno.test("a backend's error reaches a Worker handler with its class name and message", async () => {
  const section = { type: "nats" as const, url: natsUrl, path: "" };
  const host = hostBackend(
    await openStateBackend(section, { root: PROJECT, namespace: "runtime-kv-errors" }),
  );
  await using runtime = workers(host);
  const out = value(await runtime.invoke(call(twoKeys, apiInput({})))) as Record<string, string>;
  equal(out.thrown, "KvUnsupportedError");
  equal(out.constructor, "KvUnsupportedError");
  match(out.message ?? "", /^Cannot commit an atomic operation over 2 keys on the "nats"/);
  await host.close();
});

Deno.test("a value that is no JSON fails the Worker call with KvInputError", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = workers(host);
  const result = await runtime.invoke(call(badValue, apiInput({})));
  equal(result.ok, false);
  if (!result.ok) equal(result.error.name, "KvInputError");
  await host.close();
});

Deno.test("the engine refuses a malformed request from handler code with KvInputError", async () => {
  const host = hostBackend(createMemoryKvBackend());
  for (
    const request of [
      { op: "get", key: [{}] },
      { op: "commit", checks: [], mutations: [{ type: "set", key: ["a"], value: 1n }] },
      { op: "list", query: { prefix: ["a"], limit: -1 } },
      { op: "drop" },
    ]
  ) {
    const error = await host.answer(request).then(() => null, (e: Error) => e);
    equal(error?.name, "KvInputError", JSON.stringify(request, (_, v) => String(v)));
  }
  await host.close();
});

Deno.test("a WebSocket handler in a Worker has state.kv too", async () => {
  const host = hostBackend(createMemoryKvBackend());
  await using runtime = workers(host);
  const ws = tsHandler("ws_message", FILE, ["handleKvMessage"]);
  const connection = { connectionId: "c1", path: "/ws", connectedAt: new Date().toISOString() };
  const input = {
    kind: "ws_message" as const,
    message: { data: { text: "hi" }, timestamp: new Date().toISOString() },
    connection,
  };
  assertEquals(value(await runtime.invoke(call(ws, input))), { text: "hi" });
  assertEquals((await host.kv.get(["last_message", "c1"])).value, { text: "hi" });
  await host.close();
});
