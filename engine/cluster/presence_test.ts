import assert from "node:assert/strict";
import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
import { announcePresence, type InstanceInfo } from "./presence.ts";
import { coordinationWarning } from "./warning.ts";

Deno.test("announcePresence() tells each instance about the others, once each, and forgets a closed one", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const seenByA: string[] = [];
  const seenByB: string[] = [];
  const a = await announcePresence(kv, {
    instanceId: "a",
    adapter: "nats",
    heartbeatMs: 20,
    onInstance: (other) => seenByA.push(other.id),
  });
  const b = await announcePresence(kv, {
    instanceId: "b",
    adapter: "nats",
    heartbeatMs: 20,
    onInstance: (other) => seenByB.push(other.id),
  });
  try {
    assert.deepEqual(seenByB, ["a"], "the second instance sees the first at start-up");
    while (seenByA.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(seenByA, ["b"], "the first sees the second on a heartbeat, once");
    assert.deepEqual((await a.instances()).map((i) => i.id), ["a", "b"]);
    await b.close();
    assert.deepEqual((await a.instances()).map((i) => i.id), ["a"]);
  } finally {
    await a.close();
    await kv.close();
  }
});

Deno.test("announcePresence() reports a second process announcing the same instance id", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const same: boolean[] = [];
  const first = await announcePresence(kv, {
    instanceId: "web",
    adapter: "nats",
    onInstance: () => {},
  });
  const second = await announcePresence(kv, {
    instanceId: "web",
    adapter: "nats",
    onInstance: (_other, sameId) => same.push(sameId),
  });
  try {
    assert.deepEqual(same, [true]);
  } finally {
    await second.close();
    await first.close();
    await kv.close();
  }
});

Deno.test("coordinationWarning() speaks for memory, rocksdb and denokv only, or for a shared id", () => {
  const other: InstanceInfo = { id: "i1", pid: 42, adapter: "memory", started_at: "", token: "t" };
  for (const adapter of ["nats", "rabbitmq", "kafka", "sqs", "aws"]) {
    assert.equal(coordinationWarning(adapter, other, false), null, adapter);
  }
  assert.match(
    coordinationWarning("memory", other, false) ?? "",
    /^Another instance of this app is running \(instance "i1", pid 42, adapter memory\): the memory adapter keeps events in each process/,
  );
  assert.match(coordinationWarning("rocksdb", other, false) ?? "", /instance's own directory/);
  assert.match(coordinationWarning("denokv", other, false) ?? "", /several processes cannot share/);
  assert.match(coordinationWarning("nats", other, true) ?? "", /runs as instance "i1" too/);
});
