// The start-up flow on a real project: what a failed start leaves behind.
import assert from "node:assert/strict";
import { serveProject } from "../../engine/mod.ts";
import { copyDir, exampleDir } from "./_server.ts";

Deno.test("a start refused because the port is taken closes everything it had started", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas_assembly_" });
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await copyDir(exampleDir, dir);
    // RocksDB holds a lock on its directory until closed: a second start proves it was released.
    const file = `${dir}/config/rohas.toml`;
    const text = await Deno.readTextFile(file);
    await Deno.writeTextFile(file, text.replace('type = "memory"\n\n#', 'type = "rocksdb"\n\n#'));
    const options = { path: dir, cwd: dir, mode: "dev" as const };
    await assert.rejects(
      serveProject({ ...options, port: (taken.addr as Deno.NetAddr).port }),
      Deno.errors.AddrInUse,
    );
    const served = await serveProject({ ...options, port: 0 });
    assert.equal(served.telemetryType, "rocksdb");
    await served.close();
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});
