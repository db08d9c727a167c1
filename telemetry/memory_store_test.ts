import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defineStoreConformance } from "./conformance.ts";
import { createMemoryStore } from "./memory_store.ts";

defineStoreConformance("memory", {
  open: () => {
    const store = createMemoryStore();
    return Promise.resolve({ store, dispose: () => store.close() });
  },
});

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
