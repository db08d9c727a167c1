// The cost of recording one API trace (start, two steps, end), one log line and one metric sample:
// nothing recorded vs the recorder over memory and RocksDB (writes are batched off this path).
//   deno bench -A telemetry/recorder_bench.ts
import { createMemoryStore } from "./memory_store.ts";
import { openRocksdbStore } from "./rocksdb_store.ts";
import { createRecorder } from "./recorder.ts";
import type { Telemetry } from "./model.ts";

const noop: Telemetry = {
  startTrace: (o) => ({ id: o.id ?? crypto.randomUUID(), addStep() {}, end() {} }),
  log() {},
  metric() {},
  close: () => Promise.resolve(),
};
const memory = createRecorder(createMemoryStore());
const dir = await Deno.makeTempDir({ prefix: "rohas_bench_" });
const rocks = createRecorder(await openRocksdbStore({ path: dir }));

function one(telemetry: Telemetry): void {
  const now = new Date().toISOString();
  const trace = telemetry.startTrace({
    entryPoint: "CreateUser",
    entryType: "api",
    metadata: { method: "POST", path: "/users" },
  });
  for (const name of ["middleware:auth", "CreateUser"]) {
    trace.addStep({
      name,
      path: name,
      bucket: name,
      handler_name: name,
      duration_ms: 0.2,
      success: true,
      timestamp: now,
    });
  }
  telemetry.log({
    timestamp: now,
    level: "info",
    target: "handler:CreateUser",
    message: "User created",
    fields: { id: "1" },
    trace_id: trace.id,
    span_fields: {},
  });
  telemetry.metric({
    name: "handler_duration_ms",
    kind: "histogram",
    value: 0.2,
    labels: { handler: "CreateUser", kind: "api", ok: "true" },
    timestamp: now,
  });
  trace.end("success");
}

Deno.bench("telemetry off (no-op)", { baseline: true }, () => one(noop));
Deno.bench("recorder over memory", () => one(memory));
Deno.bench("recorder over rocksdb", () => one(rocks));

globalThis.addEventListener("unload", () => {
  void memory.close();
  void rocks.close().then(() => Deno.removeSync(dir, { recursive: true }));
});
