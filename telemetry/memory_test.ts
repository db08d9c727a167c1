import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createMemoryTelemetry } from "./memory.ts";

Deno.test("createMemoryTelemetry() lists running and completed traces newest first", () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const telemetry = createMemoryTelemetry({ now: () => clock });
  const first = telemetry.startTrace({ entryPoint: "A", entryType: "api" });
  clock += 10;
  const second = telemetry.startTrace({ entryPoint: "B", entryType: "event", parentId: first.id });
  clock += 5;
  first.end("success");
  assertEquals(telemetry.traces().map((t) => [t.entry_point, t.status]), [
    ["B", "running"],
    ["A", "success"],
  ]);
  assertEquals(telemetry.trace(first.id)?.duration_ms, 15);
  assertEquals(telemetry.traces({ parentId: first.id }).map((t) => t.id), [second.id]);
  assertEquals(telemetry.traces({ limit: 1 }).length, 1);
});

Deno.test("createMemoryTelemetry() ends a trace once and keeps its error", () => {
  const telemetry = createMemoryTelemetry();
  const trace = telemetry.startTrace({ entryPoint: "A", entryType: "cron" });
  trace.end("failed", "Boom");
  trace.end("success");
  assertEquals(telemetry.traces().map((t) => [t.status, t.error]), [["failed", "Boom"]]);
});

Deno.test("createMemoryTelemetry() drops the oldest entries past its capacity", () => {
  const telemetry = createMemoryTelemetry({ maxLogs: 3 });
  for (let i = 0; i < 10; i++) {
    telemetry.log({
      timestamp: String(i),
      level: i % 2 ? "info" : "error",
      target: "test",
      message: `m${i}`,
      fields: {},
      trace_id: i === 9 ? "t9" : "other",
      span_fields: {},
    });
  }
  assertEquals(telemetry.logs().map((l) => l.message), ["m9", "m8", "m7"]);
  assertEquals(telemetry.logs({ level: "error" }).map((l) => l.message), ["m8"]);
  assertEquals(telemetry.logs({ traceId: "t9" }).map((l) => l.message), ["m9"]);
});
