import assert from "node:assert/strict";
import { createMemoryKvBackend, kvOver } from "../state/mod.ts";
import { type KvWrite, recordingKv } from "./_capture.ts";

Deno.test("recordingKv records an atomic operation's writes only once it committed", async () => {
  const writes: KvWrite[] = [];
  const kv = recordingKv(kvOver(createMemoryKvBackend()), writes);
  const refused = await kv.atomic()
    .check({ key: ["n"], versionstamp: "not-the-current-one" })
    .set(["n"], 1)
    .commit();
  assert.equal(refused.ok, false);
  assert.deepEqual(writes, []);
  const committed = await kv.atomic().check({ key: ["n"], versionstamp: null }).set(["n"], 1)
    .delete(["old"]).commit();
  assert.equal(committed.ok, true);
  assert.deepEqual(writes, [{ op: "set", key: ["n"], value: 1 }, { op: "delete", key: ["old"] }]);
  assert.equal((await kv.get(["n"])).value, 1);
});
