import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createRecorder } from "../telemetry/recorder.ts";
import { createMemoryStore } from "../telemetry/memory_store.ts";
import { pollTraces } from "./_live.ts";

Deno.test("pollTraces() returns a trace that started in the same millisecond as since", async () => {
  const clock = Date.parse("2026-01-01T00:00:00Z");
  const telemetry = createRecorder(createMemoryStore(), { now: () => clock });
  try {
    const first = telemetry.startTrace({ entryPoint: "First", entryType: "api" });
    first.end("success");
    await telemetry.flush();
    const poll = pollTraces(telemetry, { since: first.id, timeoutS: 5 });
    telemetry.startTrace({ entryPoint: "Second", entryType: "api" }).end("success");
    assertEquals((await poll).map((t) => t.entry_point), ["Second"]);
  } finally {
    await telemetry.close();
  }
});

Deno.test("pollTraces() answers [] at the timeout when nothing new arrives", async () => {
  const telemetry = createRecorder(createMemoryStore());
  try {
    const first = telemetry.startTrace({ entryPoint: "First", entryType: "api" });
    first.end("success");
    assertEquals(await pollTraces(telemetry, { since: first.id, timeoutS: 0 }), []);
  } finally {
    await telemetry.close();
  }
});
