import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { storeConformance } from "./conformance.ts";
import { createMemoryStore } from "./memory_store.ts";
import type { TraceRecord, TraceStep } from "./model.ts";
import type { EndedTrace } from "./store.ts";

Deno.test("the memory store conforms to the store contract", (t) =>
  storeConformance(t, {
    open: () => {
      const store = createMemoryStore();
      return Promise.resolve({ store, dispose: () => store.close() });
    },
  }));

Deno.test("the memory store keeps the newest traces up to its capacity after one large batch", async () => {
  const store = createMemoryStore({ maxTraces: 3 });
  const traces = [1, 2, 3, 4, 5].map((n) => ({
    id: `t${n}`,
    entry_point: "Bench",
    entry_type: "api" as const,
    bucket: "/bench",
    status: "success" as const,
    duration_ms: 1,
    started_at: `2026-01-01T00:00:0${n}.000Z`,
    steps: [],
  }));
  await store.writeTraces(traces.slice(0, 2));
  await store.writeTraces(traces.slice(2));
  assertEquals((await store.queryTraces()).map((t) => t.id), ["t5", "t4", "t3"]);
  assertEquals(await store.getTrace("t2"), undefined);
  await store.close();
});

Deno.test("the memory store keeps the newest samples up to its capacity, newest first, and prunes them", async () => {
  const store = createMemoryStore({ maxSamples: 3 });
  const labels = Object.freeze({ handler: "H" });
  const sample = (value: number, name = "a") => ({
    name,
    kind: "counter" as const,
    value,
    labels,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, value)).toISOString(),
  });
  await store.writeSamples([sample(1), sample(2, "b"), sample(3)]);
  await store.writeSamples([sample(4), sample(5)]);
  assertEquals((await store.querySamples()).map((s) => s.value), [5, 4, 3]);
  assertEquals((await store.querySamples({ name: "a", limit: 2 })).map((s) => s.value), [5, 4]);
  assertEquals(await store.querySamples({ limit: 1 }), [sample(5)]);
  assertEquals(await store.prune(new Date(Date.UTC(2026, 0, 1, 0, 0, 4))), 1);
  assertEquals((await store.querySamples()).map((s) => s.value), [5, 4]);
  await store.writeSamples([sample(6), sample(7)]);
  assertEquals((await store.querySamples()).map((s) => s.value), [7, 6, 5]);
});

Deno.test("the memory store keeps every step, error, triggered event and metadata value of a trace", async () => {
  const store = createMemoryStore({ maxTraces: 2 });
  const step = (n: number): TraceStep => ({
    name: `s${n}`,
    path: `p${n}`,
    bucket: `b${n}`,
    handler_name: `h${n}`,
    duration_ms: n + 0.5,
    success: n !== 2,
    timestamp: `2026-01-01T00:00:0${n}.000Z`,
    ...(n === 2 ? { error: "Boom" } : {}),
    ...(n === 3
      ? {
        triggered_events: [{
          event_name: "E",
          timestamp: "2026-01-01T00:00:03.000Z",
          duration_ms: 1,
        }],
      }
      : {}),
  });
  const trace = (id: string, steps: TraceStep[]): TraceRecord => ({
    id,
    parent_id: "root",
    entry_point: "Api",
    entry_type: "api",
    bucket: "/x",
    status: "failed",
    duration_ms: 12,
    started_at: "2026-01-01T00:00:00.000Z",
    completed_at: "2026-01-01T00:00:00.012Z",
    steps,
    error: "Boom",
    metadata: { method: "GET", path: "/x" },
  });
  const many = trace("many", [0, 1, 2, 3, 4, 5].map(step));
  const few = trace("few", [2, 3].map(step));
  await store.writeTraces([many, few]);
  assertEquals(await store.getTrace("many"), many);
  assertEquals(await store.getTrace("few"), few);
  // "many"'s slot is reused by a trace with one step: none of the old steps shows through.
  const one = trace("one", [step(1)]);
  await store.writeTraces([one]);
  assertEquals((await store.queryTraces()).map((t) => [t.id, t.steps.length]), [
    ["one", 1],
    ["few", 2],
  ]);
  assertEquals(await store.getTrace("one"), one);
});

Deno.test("records read from the memory store are copies: changing one changes nothing stored", async () => {
  const store = createMemoryStore();
  await store.writeTraces([{
    id: "a",
    entry_point: "Api",
    entry_type: "api",
    bucket: "/x",
    status: "success",
    duration_ms: 1,
    started_at: "2026-01-01T00:00:00.000Z",
    steps: [{
      name: "h",
      path: "h",
      bucket: "h",
      handler_name: "h",
      duration_ms: 1,
      success: true,
      timestamp: "2026-01-01T00:00:00.000Z",
      triggered_events: [{
        event_name: "E",
        timestamp: "2026-01-01T00:00:00.000Z",
        duration_ms: 0,
      }],
    }],
    metadata: { path: "/x" },
  }]);
  const read = (await store.getTrace("a"))!;
  read.metadata!.path = "/changed";
  read.steps[0]!.triggered_events![0]!.event_name = "Changed";
  read.steps.push(read.steps[0]!);
  const again = (await store.queryTraces())[0]!;
  assertEquals(again.metadata, { path: "/x" });
  assertEquals(again.steps.map((s) => s.triggered_events?.[0]?.event_name), ["E"]);
});

Deno.test("the memory store keeps the newest logs up to its capacity, newest first, and prunes them", async () => {
  const store = createMemoryStore({ maxLogs: 3 });
  const entry = (second: number) => ({
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    level: "info" as const,
    target: "t",
    message: `m${second}`,
    fields: {},
    span_fields: {},
  });
  await store.writeLogs([entry(1), entry(2)]);
  await store.writeLogs([entry(3), entry(4), entry(5)]);
  assertEquals((await store.queryLogs()).map((l) => l.message), ["m5", "m4", "m3"]);
  assertEquals(await store.prune(new Date(Date.UTC(2026, 0, 1, 0, 0, 4))), 1);
  await store.writeLogs([entry(6)]);
  assertEquals((await store.queryLogs()).map((l) => l.message), ["m6", "m5", "m4"]);
});

Deno.test("the memory store reads each trace's own metadata when consecutive traces share or differ in values", async () => {
  const store = createMemoryStore({ maxTraces: 4 });
  store.keepTrace(ended("a", { method: "POST", path: "/bench", user_agent: "wrk" }));
  store.keepTrace(ended("b", { method: "POST", path: "/bench", user_agent: "wrk" }));
  store.keepTrace(ended("c", { method: "POST", path: "/bench" }));
  store.keepTrace(ended("d", { method: "POST", path: "/bench", user_agent: "curl" }));
  const read = await store.queryTraces();
  assertEquals(read.map((t) => [t.id, t.metadata?.user_agent]), [
    ["d", "curl"],
    ["c", undefined],
    ["b", "wrk"],
    ["a", "wrk"],
  ]);
  read[1]!.metadata!.user_agent = "edited by a reader";
  assertEquals((await store.getTrace("b"))?.metadata?.user_agent, "wrk");
  await store.close();
});

Deno.test("the memory store reads a trace kept from raw values as the record of those values", async () => {
  const store = createMemoryStore({ maxTraces: 8 });
  const steps = [1, 2, 3, 4, 5].map((n) => ({
    name: `s${n}`,
    path: `p${n}`,
    bucket: `b${n}`,
    handler_name: `h${n}`,
    duration_ms: n,
    success: n !== 2,
    timestamp: "2026-01-01T00:00:01.000Z",
  }));
  store.keepTrace({ ...ended("none", {}), firstStep: undefined, moreSteps: undefined });
  store.keepTrace({ ...ended("two", { path: "/x" }), firstStep: steps[0], moreSteps: [steps[1]!] });
  store.keepTrace({ ...ended("five", {}), firstStep: steps[0], moreSteps: steps.slice(1) });
  store.keepTrace({ ...ended("failed", {}), status: "failed", error: "Boom", parentId: "two" });
  assertEquals(await store.getTrace("two"), {
    id: "two",
    entry_point: "Bench",
    entry_type: "api",
    bucket: "/x",
    status: "success",
    duration_ms: 250,
    started_at: "2026-01-01T00:00:01.000Z",
    completed_at: "2026-01-01T00:00:01.250Z",
    steps: steps.slice(0, 2),
    metadata: { path: "/x" },
  });
  assertEquals((await store.getTrace("none"))?.steps, []);
  assertEquals((await store.getTrace("none"))?.metadata, undefined);
  assertEquals((await store.getTrace("none"))?.bucket, "unknown");
  assertEquals((await store.getTrace("five"))?.steps, steps);
  const failed = await store.getTrace("failed");
  assertEquals([failed?.status, failed?.error, failed?.parent_id], ["failed", "Boom", "two"]);
  assertEquals(await store.prune(new Date(Date.UTC(2026, 0, 1, 0, 0, 1, 1))), 4);
  await store.close();
});

/** An ended trace of `Bench` started at 00:00:01 on 2026-01-01 that took 250 ms, with no steps. */
function ended(id: string, metadata: Record<string, string>): EndedTrace {
  const startedMs = Date.UTC(2026, 0, 1, 0, 0, 1);
  return {
    id,
    parentId: undefined,
    entryPoint: "Bench",
    entryType: "api",
    metadata,
    startedMs,
    endedMs: startedMs + 250,
    status: "success",
    error: undefined,
    firstStep: undefined,
    moreSteps: undefined,
  };
}
