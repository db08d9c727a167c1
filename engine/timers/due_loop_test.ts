import assert from "node:assert/strict";
import {
  createMemoryKvBackend,
  kvOver,
  openDenoKvBackend,
  openState,
  type OwnedKv,
} from "../../state/mod.ts";
import { type DueLoop, openTimerStore, startDueLoop, type Timer, type TimerStore } from "./mod.ts";

const dir = await Deno.makeTempDir({ prefix: "rohas-due-loop-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

const NATS = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
const PG = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";

/** `count` connections to one namespace of a server-backed store, as instances hold. */
function server(type: "nats" | "postgres", url: string): (count: number) => Promise<OwnedKv[]> {
  return (count) => {
    const namespace = `timers${crypto.randomUUID().slice(0, 8)}`;
    // One after the other: the first creates the bucket or table (concurrent creates race).
    const open = () => openState({ type, url, path: "" }, { root: ".", namespace });
    return Array.fromAsync(Array.from({ length: count }), open);
  };
}

/** Opens `count` handles on one store: one shared memory store, one Deno KV file, one server. */
const backends: Record<string, (count: number) => Promise<OwnedKv[]>> = {
  memory: (count) => {
    const backend = createMemoryKvBackend();
    const kv = kvOver(backend);
    return Promise.resolve(Array.from({ length: count }, () => kv));
  },
  denokv: (count) => {
    const path = `${dir}/${crypto.randomUUID()}.kv`;
    return Promise.all(
      Array.from({ length: count }, async () => kvOver(await openDenoKvBackend({ path }))),
    );
  },
  // One-key atomic operations only: the store never needs more.
  nats: server("nats", NATS),
  postgres: server("postgres", PG),
};

/**
 * The longest this process's event loop stalled while `run` ran (a 5 ms ticker's largest gap past
 * 5 ms): lateness beyond it is the loop's own, not the loaded machine's.
 */
async function withStalls<T>(run: () => Promise<T>): Promise<{ result: T; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last - 5);
    last = now;
  }, 5);
  try {
    return { result: await run(), stall };
  } finally {
    clearInterval(ticker);
  }
}

interface Fired {
  timer: Timer;
  at: number;
  by: string;
}

/** Runs one loop per store, recording firings; `onDue` may add behaviour. */
function loopsOver(
  stores: TimerStore[],
  onFire: (fired: Fired) => Promise<void> = () => Promise.resolve(),
  options: { leaseMs?: number; retryMs?: number } = {},
): { fired: Fired[]; loops: DueLoop[]; errors: unknown[]; next: () => Promise<Fired> } {
  const fired: Fired[] = [];
  const errors: unknown[] = [];
  let waiter = Promise.withResolvers<Fired>();
  const loops = stores.map((store) =>
    startDueLoop(store, {
      ...options,
      onDue: (timer) => {
        const record = { timer, at: Date.now(), by: store.instanceId };
        fired.push(record);
        waiter.resolve(record);
        waiter = Promise.withResolvers<Fired>();
        return onFire(record);
      },
      onError: (error) => errors.push(error),
    })
  );
  return { fired, loops, errors, next: () => waiter.promise };
}

async function closeAll(kvs: OwnedKv[], loops: DueLoop[]): Promise<void> {
  await Promise.all(loops.map((loop) => loop.stop()));
  await Promise.all([...new Set(kvs)].map((kv) => kv.close()));
}

/**
 * How late a firing may be beyond event loop stalls: a server store adds round trips (list, get,
 * claim), and NATS lists keys through a consumer of its own (several round trips per look).
 */
const BOUND_MS: Record<string, number> = { memory: 100, denokv: 100, nats: 500, postgres: 250 };

for (const [type, open] of Object.entries(backends)) {
  const bound = BOUND_MS[type]!;
  Deno.test(`a due loop on ${type} fires a timer within ${bound} ms of its time (beyond event loop stalls), then deletes it`, async () => {
    const [kv] = await open(1);
    const timers = openTimerStore(kv!, { name: "t", instanceId: "a" });
    const { loops, next, errors } = loopsOver([timers]);
    try {
      for (const delay of [150, 400]) {
        const dueAt = Date.now() + delay;
        const arrived = next();
        const { result: fired, stall } = await withStalls(async () => {
          await timers.schedule(`t${delay}`, dueAt, { delay });
          return await arrived;
        });
        assert.deepEqual(fired.timer.value, { delay });
        assert.equal(fired.timer.attempt, 1);
        const late = fired.at - dueAt;
        assert.ok(
          late >= 0 && late - stall < bound,
          `${late} ms late, event loop stalled ${stall} ms`,
        );
      }
      await loops[0]!.stop();
      assert.deepEqual(await timers.list(), [], "fired timers are deleted");
      assert.deepEqual(await Array.fromAsync(kv!.list({ prefix: ["_rohas", "timers"] })), []);
      assert.deepEqual(errors, []);
    } finally {
      await closeAll([kv!], loops);
    }
  });

  Deno.test(`three due loops on ${type} fire each of 60 timers exactly once`, async () => {
    const kvs = await open(3);
    const stores = kvs.map((kv, i) => openTimerStore(kv, { name: "t", instanceId: `i${i}` }));
    const all = Promise.withResolvers<void>();
    const { fired, loops, errors } = loopsOver(stores, () => {
      if (fired.length === 60) all.resolve();
      return Promise.resolve();
    });
    try {
      const start = Date.now() + 100;
      for (let n = 0; n < 60; n++) {
        // Spread over the three handles: each loop learns of most timers only by looking.
        await stores[n % 3]!.schedule(`t${n}`, start + (n % 10) * 20, n);
      }
      await all.promise;
      // A second firing of a timer would have been claimed before the 60th first firing: a
      // fired timer's record is deleted, so no loop can claim it again.
      await Promise.all(loops.map((loop) => loop.stop()));
      const ids = fired.map((f) => f.timer.id).sort();
      assert.equal(ids.length, 60, `fired ${ids.length} times`);
      assert.equal(new Set(ids).size, 60);
      assert.deepEqual(errors, []);
    } finally {
      await closeAll(kvs, loops);
    }
  });

  Deno.test(`a due loop on ${type} finds a timer another instance scheduled, and skips a cancelled one`, async () => {
    const [a, b] = await open(2);
    const scheduler = openTimerStore(a!, { name: "t", instanceId: "a" });
    const firer = openTimerStore(b!, { name: "t", instanceId: "b" });
    const { loops, next, fired } = loopsOver([firer]);
    try {
      await scheduler.schedule("cancelled", Date.now() + 50, 0);
      assert.equal(await scheduler.cancel("cancelled"), true);
      const dueAt = Date.now() + 120;
      const { result: first, stall } = await withStalls(async () => {
        await scheduler.schedule("kept", dueAt, 1);
        return await next();
      });
      assert.equal(first.timer.id, "kept");
      const late = first.at - dueAt;
      assert.ok(late - stall < bound, `found ${late} ms late, event loop stalled ${stall} ms`);
      assert.deepEqual(fired.map((f) => f.timer.id), ["kept"]);
    } finally {
      await closeAll([a!, b!], loops);
    }
  });

  Deno.test(`a due loop on ${type} retries a firing that threw`, async () => {
    const [kv] = await open(1);
    const timers = openTimerStore(kv!, { name: "t", instanceId: "a" });
    const twice = Promise.withResolvers<void>();
    const { loops, fired, errors } = loopsOver([timers], (f) => {
      if (f.timer.attempt === 1) return Promise.reject(new Error("broker down"));
      twice.resolve();
      return Promise.resolve();
    }, { retryMs: 50 });
    try {
      await timers.schedule("x", Date.now(), "v");
      await twice.promise;
      assert.deepEqual(fired.map((f) => [f.timer.id, f.timer.attempt]), [["x", 1], ["x", 2]]);
      assert.equal((errors[0] as Error).message, "broker down");
    } finally {
      await closeAll([kv!], loops);
    }
  });

  Deno.test(`a timer whose firing never finishes fires again on ${type} once its lease ends`, async () => {
    const [a, b] = await open(2);
    const hung = Promise.withResolvers<void>();
    const stores = [a!, b!].map((kv, i) => openTimerStore(kv, { name: "t", instanceId: `i${i}` }));
    const { loops, fired, next } = loopsOver(
      stores,
      (f) => f.timer.attempt === 1 ? hung.promise : Promise.resolve(),
      { leaseMs: 1_000 },
    );
    try {
      const claimed = next();
      const scheduledAt = Date.now();
      await stores[0]!.schedule("x", scheduledAt, "v");
      await claimed;
      assert.equal((await stores[1]!.get("x"))?.state, "firing");
      assert.equal(await stores[1]!.cancel("x"), false, "a firing timer cannot be cancelled");
      const again = await next();
      assert.equal(again.timer.attempt, 2, "the second firing is the second claim");
      assert.ok(again.at - scheduledAt >= 1_000, "not before the lease ended");
    } finally {
      hung.resolve();
      await closeAll([a!, b!], loops);
    }
    assert.equal(fired.length, 2);
  });
}

Deno.test("a due loop whose index stays empty looks less often, and as often again once a timer comes", async () => {
  const kv = kvOver(createMemoryKvBackend());
  let looks = 0;
  const counted = new Proxy(kv, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (name !== "list") return typeof value === "function" ? value.bind(target) : value;
      return (...args: Parameters<typeof kv.list>) => {
        looks++;
        return target.list(...args);
      };
    },
  });
  const other = openTimerStore(kv, { name: "t", instanceId: "other" });
  const timers = openTimerStore(counted, { name: "t", instanceId: "a" });
  const fired = Promise.withResolvers<number>();
  const loop = startDueLoop(timers, {
    pollMs: 20,
    idlePollMs: 400,
    idleAfterMs: 300,
    onDue: () => Promise.resolve(fired.resolve(Date.now())),
    onError: (error) => fired.reject(error),
  });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    await pause(300);
    const busy = looks;
    await pause(1_200);
    const idle = looks - busy;
    // About 15 looks in the first 300 ms at 20 ms; at most 4 in the next 1 200 ms at 400 ms.
    assert.ok(busy >= 5, `${busy} looks while busy`);
    assert.ok(idle <= 4, `${idle} looks while idle`);
    // A timer another instance scheduled is still found, within the idle poll.
    const dueAt = Date.now() + 50;
    await other.schedule("theirs", dueAt, 1);
    const late = (await fired.promise) - dueAt;
    assert.ok(late < 400 + 250, `found ${late} ms late`);
  } finally {
    await loop.stop();
    await kv.close();
  }
});
