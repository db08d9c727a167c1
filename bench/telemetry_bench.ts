/**
 * The recorder's per-request hot path, in ns per request: what the engine calls for one API
 * request (startTrace with request metadata, a middleware and a handler step, one histogram
 * sample, end), with nothing recorded vs the recorder over the memory store (the default of
 * `createApp` and of `[telemetry] type = "memory"`). Batched writes and the store's retention run
 * inside the measured loop, so their GC is part of the cost.
 *
 * Usage: deno bench -A bench/telemetry_bench.ts
 *
 * @module
 */

import { createMemoryStore, createRecorder, isoTime } from "../telemetry/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";

const noop: Telemetry = {
  startTrace: (o) => ({ id: o.id ?? crypto.randomUUID(), addStep() {}, end() {} }),
  log() {},
  metric() {},
  close: () => Promise.resolve(),
};

const recorder = createRecorder(createMemoryStore());
const labels = Object.freeze({ handler: "CreateUser", kind: "api", ok: "true" });

/** One API request as the engine records it. */
function request(telemetry: Telemetry): Promise<void> {
  const startedAt = isoTime();
  const trace = telemetry.startTrace({
    id: crypto.randomUUID(),
    entryPoint: "CreateUser",
    entryType: "api",
    metadata: {
      method: "POST",
      path: "/users",
      datetime_utc: startedAt,
      ip_address: "127.0.0.1",
      user_agent: "wrk",
    },
  });
  for (const name of ["middleware:auth", "CreateUser"]) {
    trace.addStep({
      name,
      path: name,
      bucket: name,
      handler_name: name,
      duration_ms: 0.2,
      success: true,
      timestamp: startedAt,
    });
  }
  telemetry.metric({
    name: "handler_duration_ms",
    kind: "histogram",
    value: 0.2,
    labels,
    timestamp: startedAt,
  });
  trace.end("success");
  return Promise.resolve();
}

// Async, as a request is: between iterations the microtasks run, so the batch writes the recorder
// starts (every 500 records) happen inside the measurement, as they do between requests.
Deno.bench("telemetry off (no-op), per request", { baseline: true, n: 200_000 }, async () => {
  await request(noop);
});

Deno.bench("recorder over memory, per request", { n: 200_000 }, async () => {
  await request(recorder);
});

globalThis.addEventListener("unload", () => void recorder.close());
