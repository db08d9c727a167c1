// The concurrency slots shared by instances: three SharedSlots over three handles of one Deno KV
// file (as three processes of one machine open it) never run more than the limit per key at once;
// a dead instance's slots come back when their lease runs out; a lease outlives a long run.
import assert from "node:assert/strict";
import { kvOver, openDenoKvBackend, type OwnedKv } from "../../state/mod.ts";
import { LimitsClosedError, SharedSlots } from "./mod.ts";

const PREFIX = ["_rohas", "limits", "shop.work", "concurrency"];

async function openStores(count: number): Promise<{ stores: OwnedKv[]; close(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "rohas-slots-" });
  const stores: OwnedKv[] = [];
  for (let i = 0; i < count; i++) {
    stores.push(kvOver(await openDenoKvBackend({ path: `${dir}/state.sqlite3` })));
  }
  return {
    stores,
    close: async () => {
      for (const kv of stores) await kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Counts runs in flight per key and remembers the maximum. */
function tracker() {
  const running = new Map<string, number>();
  const max = new Map<string, number>();
  return {
    max,
    task: (key: string, ms: number) => async () => {
      const now = (running.get(key) ?? 0) + 1;
      running.set(key, now);
      max.set(key, Math.max(max.get(key) ?? 0, now));
      await new Promise((resolve) => setTimeout(resolve, ms));
      running.set(key, running.get(key)! - 1);
    },
  };
}

Deno.test("three instances sharing a store never run more than 2 per key at once", async () => {
  const { stores, close } = await openStores(3);
  const slots = stores.map((kv, i) =>
    new SharedSlots({ kv, prefix: PREFIX, limit: 2, instanceId: `i${i}` })
  );
  const seen = tracker();
  const runs = Array.from({ length: 36 }, (_, n) => {
    const key = `k${n % 2}`;
    return slots[n % 3]!.run(key, seen.task(key, 15));
  });
  await Promise.all(runs);
  for (const s of slots) s.close();
  await close();
  assert.deepEqual(Object.fromEntries(seen.max), { k0: 2, k1: 2 }, "the measured maximum per key");
});

Deno.test("a dead instance's slots come back once their lease runs out", async () => {
  const { stores, close } = await openStores(1);
  const kv = stores[0]!;
  // What a killed instance leaves: both slots taken, never renewed, never freed.
  const dead = { instance: "dead", since: Date.now() };
  await kv.set([...PREFIX, "", 0], dead, { expireIn: 400 });
  await kv.set([...PREFIX, "", 1], dead, { expireIn: 400 });
  const slots = new SharedSlots({ kv, prefix: PREFIX, limit: 2, instanceId: "alive" });
  const started = performance.now();
  let waited = false;
  let ran = false;
  await slots.run("", () => Promise.resolve(void (ran = true)), () => waited = true);
  const elapsed = performance.now() - started;
  slots.close();
  await close();
  assert.ok(waited && ran, "the run waited, then ran");
  assert.ok(elapsed >= 300, `it ran once the lease ran out, after ${elapsed.toFixed(0)} ms`);
});

Deno.test("a run longer than the lease keeps its slot: the lease is renewed while it runs", async () => {
  const { stores, close } = await openStores(2);
  const [a, b] = stores.map((kv, i) =>
    new SharedSlots({ kv, prefix: PREFIX, limit: 1, instanceId: `i${i}`, leaseMs: 150 })
  );
  const seen = tracker();
  await Promise.all([
    a!.run("", seen.task("", 700)),
    // Starts while the first run holds the only slot, and must wait for all of it.
    new Promise((resolve) => setTimeout(resolve, 50)).then(() => b!.run("", seen.task("", 10))),
  ]);
  a!.close();
  b!.close();
  await close();
  assert.equal(seen.max.get(""), 1, "the second run never overlapped the first");
});

Deno.test("closing the slots fails a waiting run, so the broker delivers it again", async () => {
  const { stores, close } = await openStores(1);
  const slots = new SharedSlots({ kv: stores[0]!, prefix: PREFIX, limit: 1, instanceId: "a" });
  const holding = Promise.withResolvers<void>();
  const waiting = Promise.withResolvers<void>();
  const taken = Promise.withResolvers<void>();
  const first = slots.run("", () => {
    taken.resolve();
    return holding.promise;
  });
  // Started together, the second run could win the slot, finish, and never wait.
  await taken.promise;
  const second = slots.run("", () => Promise.resolve(), () => waiting.resolve());
  await waiting.promise;
  slots.close();
  await assert.rejects(second, LimitsClosedError);
  holding.resolve();
  await first;
  await close();
});
