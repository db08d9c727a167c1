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
