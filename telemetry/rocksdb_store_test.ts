import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { sampleTrace, storeConformance } from "./conformance.ts";
import { openRocksdbStore } from "./rocksdb_store.ts";
import { RocksDb } from "../internal/rocksdb/mod.ts";
import { tempDir } from "../testing/mod.ts";

Deno.test("the rocksdb store conforms to the store contract", (t) =>
  storeConformance(t, {
    async open() {
      const path = await Deno.makeTempDir({ prefix: "rohas_telemetry_" });
      const store = await openRocksdbStore({ path });
      return {
        store,
        async dispose() {
          await store.close();
          await Deno.remove(path, { recursive: true });
        },
      };
    },
  }));

Deno.test("rocksdb store keeps traces across a reopen", async () => {
  await using dir = await tempDir({ prefix: "rohas_telemetry_" });
  const path = dir.path;
  const first = await openRocksdbStore({ path });
  await first.writeTraces([sampleTrace("kept", 0)]);
  await first.close();
  const second = await openRocksdbStore({ path });
  assertEquals((await second.getTrace("kept"))?.id, "kept");
  await second.close();
});

Deno.test("rocksdb store keeps each kind of key in a database of its own", async () => {
  await using dir = await tempDir({ prefix: "rohas_telemetry_" });
  const path = dir.path;
  const store = await openRocksdbStore({ path });
  await store.writeTraces([sampleTrace("a", 0)]);
  await store.close();
  const entries = [];
  for await (const entry of Deno.readDir(path)) entries.push(entry.name);
  assertEquals(entries.sort(), ["log-index", "logs", "samples", "trace-index", "traces"]);
});

Deno.test("rocksdb store opens a directory of the single-database layout as it is", async () => {
  await using dir = await tempDir({ prefix: "rohas_telemetry_" });
  const path = dir.path;
  // The earlier layout: every key in one database at the directory itself.
  const trace = sampleTrace("old", 0);
  const key = `t|${String(9_999_999_999_999 - Date.parse(trace.started_at)).padStart(13, "0")}|old`;
  const db = await RocksDb.open(path);
  await db.batch([
    { type: "put", key, value: JSON.stringify(trace) },
    { type: "put", key: "ti|old", value: key },
  ]);
  await db.close();
  const store = await openRocksdbStore({ path });
  assertEquals(await store.getTrace("old"), trace);
  await store.writeTraces([sampleTrace("new", 10)]);
  assertEquals((await store.queryTraces()).map((t) => t.id), ["new", "old"]);
  await store.close();
  // Nothing of the new layout was made beside it.
  assertEquals(
    [...Deno.readDirSync(path)].some((e) => e.isDirectory && e.name === "traces"),
    false,
  );
});

Deno.test("rocksdb store replaces a trace written again with another start time, and its child index", async () => {
  await using dir = await tempDir({ prefix: "rohas_telemetry_" });
  const path = dir.path;
  const store = await openRocksdbStore({ path });
  await store.writeTraces([sampleTrace("c", 0, { parent_id: "p", status: "running" })]);
  // Twice in one batch as well: the later write wins.
  await store.writeTraces([
    sampleTrace("c", 50, { parent_id: "p", status: "running" }),
    sampleTrace("c", 100, { parent_id: "p", status: "failed" }),
  ]);
  assertEquals((await store.getTrace("c"))?.status, "failed");
  assertEquals((await store.queryTraces()).map((t) => [t.id, t.status]), [["c", "failed"]]);
  assertEquals((await store.queryTraces({ parentId: "p" })).map((t) => t.status), ["failed"]);
  await store.close();
});
