import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defineStoreConformance, sampleTrace } from "./conformance.ts";
import { openRocksdbStore } from "./rocksdb_store.ts";

defineStoreConformance("rocksdb", {
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
});

Deno.test("rocksdb store keeps traces across a reopen", async () => {
  const path = await Deno.makeTempDir({ prefix: "rohas_telemetry_" });
  try {
    const first = await openRocksdbStore({ path });
    await first.writeTraces([sampleTrace("kept", 0)]);
    await first.close();
    const second = await openRocksdbStore({ path });
    assertEquals((await second.getTrace("kept"))?.id, "kept");
    await second.close();
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});
