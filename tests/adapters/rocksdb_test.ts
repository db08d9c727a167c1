import { runAdapterConformance } from "../../adapters/conformance.ts";
import { createRocksdbAdapter } from "../../adapters/rocksdb/mod.ts";

// One database for the file: every case uses its own topics, and a re-created adapter reopens it.
const path = await Deno.makeTempDir({ prefix: "rohas_rocksdb_" });
globalThis.addEventListener("unload", () => Deno.removeSync(path, { recursive: true }));

runAdapterConformance("rocksdb", {
  create: () => Promise.resolve(createRocksdbAdapter({ path })),
  singleProcess: true,
});
