import assert from "node:assert/strict";
import { createMemoryKvBackend, kvOver, openDenoKvBackend, type OwnedKv } from "../../state/mod.ts";
import { openTimerStore, TimerInputError } from "./mod.ts";

const dir = await Deno.makeTempDir({ prefix: "rohas-timers-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

const backends: Record<string, () => Promise<OwnedKv>> = {
  memory: () => Promise.resolve(kvOver(createMemoryKvBackend())),
  denokv: async () => kvOver(await openDenoKvBackend({ path: `${dir}/${crypto.randomUUID()}.kv` })),
};

for (const [type, open] of Object.entries(backends)) {
  Deno.test(`a timer store on ${type} keeps the first schedule of an id unless asked to replace`, async () => {
    const kv = await open();
    try {
      const timers = openTimerStore(kv, { name: "t", instanceId: "a" });
      assert.equal(await timers.schedule("x", 2_000, "first"), true);
      assert.equal(await timers.schedule("x", 1_000, "second"), false);
      assert.equal((await timers.get("x"))?.value, "first");
      assert.equal(await timers.schedule("x", 1_000, "third", { replace: true }), true);
      const timer = await timers.get("x");
      assert.deepEqual(
        { dueAt: timer?.dueAt, value: timer?.value, state: timer?.state },
        { dueAt: 1_000, value: "third", state: "waiting" },
      );
      const index = await Array.fromAsync(kv.list({ prefix: ["_rohas", "timers", "t", "due"] }));
      assert.deepEqual(index.map((e) => e.key.slice(-2)), [[1_000, "x"]], "the old index is gone");
    } finally {
      await kv.close();
    }
  });

  Deno.test(`a timer store on ${type} lists by group, soonest first, and cancels`, async () => {
    const kv = await open();
    try {
      const timers = openTimerStore(kv, { name: "t", instanceId: "a" });
      await timers.schedule("late", 3_000, 1, { group: "g" });
      await timers.schedule("soon", 1_000, 2, { group: "g" });
      await timers.schedule("other", 2_000, 3, { group: "h" });
      assert.deepEqual((await timers.list({ group: "g" })).map((t) => t.id), ["soon", "late"]);
      assert.deepEqual((await timers.list()).map((t) => t.id), ["soon", "other", "late"]);
      assert.equal(await timers.cancel("soon"), true);
      assert.equal(await timers.cancel("soon"), false, "a second cancel finds nothing");
      assert.deepEqual((await timers.list({ group: "g" })).map((t) => t.id), ["late"]);
      const others = openTimerStore(kv, { name: "u", instanceId: "a" });
      assert.deepEqual(await others.list(), [], "stores with other names see none of them");
    } finally {
      await kv.close();
    }
  });
}

Deno.test("a timer store refuses an empty id, a due time that is not a number and a value that is not JSON", async () => {
  const kv = kvOver(createMemoryKvBackend());
  try {
    const timers = openTimerStore(kv, { name: "t", instanceId: "a" });
    await assert.rejects(() => timers.schedule("", 1, null), TimerInputError);
    await assert.rejects(
      () => timers.schedule("x", Number.NaN, null),
      {
        name: "TimerInputError",
        message: 'Invalid due time NaN of timer "x": expected milliseconds since the epoch',
      },
    );
    await assert.rejects(() => timers.schedule("x", 1, { n: 1n }), { name: "KvInputError" });
    assert.deepEqual(await timers.list(), []);
    const index = await Array.fromAsync(kv.list({ prefix: ["_rohas", "timers"] }));
    assert.deepEqual(index, [], "a refused value leaves no index entry behind");
  } finally {
    await kv.close();
  }
});
