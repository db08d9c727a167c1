import { createMemoryAdapter } from "../../adapters/memory/mod.ts";
import { limitsConformance } from "./conformance.ts";

// Every other adapter runs these cases in its own test file (tests/adapters/).
Deno.test("the memory adapter enforces the flow limits", (t) =>
  limitsConformance(t, {
    create: () => Promise.resolve(createMemoryAdapter()),
    singleProcess: true,
  }));
