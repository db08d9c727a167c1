import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { RocksDb } from "./mod.ts";
import { REPO, tempDir } from "../../testing/mod.ts";

Deno.test("importing the library, its doors and this wrapper loads no RocksDB native code", async () => {
  const code = `
    import "./mod.ts";
    import "./adapters/mod.ts";
    import "./telemetry/mod.ts";
    import "./engine/mod.ts";
    import { RocksDb } from "./internal/rocksdb/mod.ts";
    const loaded = async () =>
      (await Deno.readTextFile("/proc/self/maps")).split("\\n").some((l) => /rocksdb.*\\.node/.test(l));
    const before = await loaded();
    const path = await Deno.makeTempDir();
    await (await RocksDb.open(path)).close();
    await Deno.remove(path, { recursive: true });
    console.log(JSON.stringify([before, await loaded()]));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, stderr);
  // Loaded once a database opens: the probe can see it.
  assertEquals(JSON.parse(new TextDecoder().decode(output.stdout)), [false, true]);
});

Deno.test("RocksDb reads what a batch wrote, in both orders, and nothing for a missing key", async () => {
  await using dir = await tempDir({ prefix: "rohas_rocks_" });
  const db = await RocksDb.open(dir.path);
  try {
    await db.batch([
      { type: "put", key: "k|1", value: "one" },
      { type: "put", key: "k|2", value: "two" },
      { type: "put", key: "k|3", value: "three" },
    ], { sync: true });
    await db.batch([{ type: "del", key: "k|2" }]);
    assertEquals(await db.get("k|2"), undefined);
    assertEquals(await db.getMany(["k|1", "k|2"]), ["one", undefined]);
    assertEquals(await db.scanAll({ gte: "k|", lt: "k}" }), [["k|1", "one"], ["k|3", "three"]]);
    assertEquals(await db.scanAll({ gte: "k|", lt: "k}", reverse: true, limit: 1 }), [
      ["k|3", "three"],
    ]);
    await db.clear({ gte: "k|", lt: "k}" });
    assertEquals(await db.scanAll({ gte: "k|", lt: "k}" }), []);
  } finally {
    await db.close();
  }
});

Deno.test("RocksDb reports a failure through the caller's describeError, with the action", async () => {
  await using dir = await tempDir({ prefix: "rohas_rocks_" });
  const first = await RocksDb.open(dir.path);
  try {
    const seen: string[] = [];
    const failure = await RocksDb.open(dir.path, {
      describeError: (error, action) => {
        seen.push(action);
        return new Error(`Cannot ${action} it`, { cause: error });
      },
    }).then(() => null, (error: Error) => error);
    assertEquals([seen, failure?.message], [["open"], "Cannot open it"]);
    assert(/lock/i.test(String((failure?.cause as Error).message)));
  } finally {
    await first.close();
  }
});
