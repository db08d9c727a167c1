import { createMemoryAdapter } from "../../adapters/memory/mod.ts";
import { flowConformance } from "../../engine/mod.ts";

// The memory adapter's own conformance cases live beside it (adapters/memory/memory_test.ts).
Deno.test("the engine's flow controls hold on the memory adapter", (t) =>
  flowConformance(t, {
    create: () => Promise.resolve(createMemoryAdapter()),
    singleProcess: true,
  }));
