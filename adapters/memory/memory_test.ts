import { runAdapterConformance } from "../conformance.ts";
import { createMemoryAdapter } from "./mod.ts";

runAdapterConformance("memory", {
  create: () => Promise.resolve(createMemoryAdapter()),
  singleProcess: true,
});
