import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createForwardingStore } from "./_forwarding_store.ts";
import { createRecorder } from "../../telemetry/mod.ts";
import type { RecordsMessage } from "./protocol.ts";

Deno.test("an edge's recorder over the forwarding store sends built records, at most its share a second", async () => {
  const sent: RecordsMessage[] = [];
  const recorder = createRecorder(createForwardingStore((m) => sent.push(m)), {
    flushIntervalMs: 60_000,
    maxPersistedPerSecond: 2,
  });
  for (let i = 0; i < 5; i++) {
    recorder.startTrace({ id: `t${i}`, entryPoint: "Bench", entryType: "api" }).end("success");
  }
  recorder.log({
    timestamp: new Date().toISOString(),
    level: "info",
    target: "handler:Bench",
    message: "hi",
    fields: {},
    span_fields: {},
  });
  assertEquals(sent.length, 0);
  await recorder.flush();
  const traces = sent.flatMap((m) => m.traces);
  assertEquals(traces.map((t) => [t.id, t.entry_point, t.status]), [
    ["t0", "Bench", "success"],
    ["t1", "Bench", "success"],
  ]);
  assertEquals(typeof traces[0]!.started_at, "string");
  assertEquals(sent.flatMap((m) => m.logs).map((l) => l.message), ["hi"]);
  // The metrics count every trace; the reads see nothing stored here.
  const total = recorder.metrics().find((s) => s.name === "rohas_traces_total");
  assertEquals(total?.value, 5);
  assertEquals(await recorder.traces(), []);
  await recorder.close();
});
