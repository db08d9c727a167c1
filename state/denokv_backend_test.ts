import { runKvConformance } from "./conformance.ts";
import { openDenoKvBackend } from "./denokv_backend.ts";

const dir = await Deno.makeTempDir({ prefix: "rohas-state-denokv-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

runKvConformance("denokv", {
  open: (namespace) => openDenoKvBackend({ path: `${dir}/${namespace}.sqlite3` }),
});
