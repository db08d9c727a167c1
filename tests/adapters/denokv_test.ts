import { runAdapterConformance } from "../../adapters/conformance.ts";
import { createDenokvAdapter } from "../../adapters/denokv/mod.ts";

// One database for the file: every case uses its own topics, and a re-created adapter reopens it.
const dir = await Deno.makeTempDir({ prefix: "rohas_denokv_" });
const path = `${dir}/events.kv`;
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

runAdapterConformance("denokv", {
  create: () => Promise.resolve(createDenokvAdapter({ path })),
  // A local KV file takes one writer: two handles on it fail with "database is locked".
  singleProcess: true,
});
