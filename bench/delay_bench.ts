// deno-lint-ignore-file no-console -- a benchmark prints its results
/**
 * The cost per event of a delayed publish (`state.triggerEvent(E, p, { delay: 0 })`: due at once,
 * through the durable timer store in `state.kv`) against a plain publish of the same event, in one
 * run: both go through the event bus on the memory adapter to one subscriber; a round publishes
 * `--events` events one way and waits until the subscriber has them all. Rounds alternate plain and
 * delayed, on each `[state]` store the delayed events can wait in (memory, and the default Deno KV
 * file), and the medians are printed as microseconds per event.
 *
 *   deno run -A bench/delay_bench.ts [--events 300] [--rounds 5]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { EventBus } from "../engine/events/mod.ts";
import { DelayedEvents } from "../engine/delayed/mod.ts";
import { createMemoryKvBackend, kvOver, openDenoKvBackend, type OwnedKv } from "../state/mod.ts";
import { machineLine } from "./_machine.ts";

const args = parseArgs({
  args: Deno.args,
  options: { events: { type: "string", default: "300" }, rounds: { type: "string", default: "5" } },
});
const EVENTS = Number(args.values.events);
const ROUNDS = Number(args.values.rounds);
const CAUSE = { parentId: null, source: "bench" };

/** A bus with one subscriber; `received(n)` resolves once n more events arrived. */
async function rig() {
  const bus = new EventBus(createMemoryAdapter());
  await bus.start();
  let count = 0;
  let waiter: { target: number; resolve: () => void } | null = null;
  await bus.subscribe("Reminder", "bench.remind", () => {
    count++;
    if (waiter !== null && count >= waiter.target) waiter.resolve();
    return Promise.resolve();
  });
  return {
    bus,
    received(n: number): Promise<void> {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiter = { target: count + n, resolve };
      return promise;
    },
  };
}

/** Microseconds per event of one round: publish EVENTS with `send`, wait until all arrived. */
async function round(r: Awaited<ReturnType<typeof rig>>, send: (i: number) => Promise<unknown>) {
  const arrived = r.received(EVENTS);
  const started = performance.now();
  for (let i = 0; i < EVENTS; i++) await send(i);
  await arrived;
  return (performance.now() - started) * 1000 / EVENTS;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function compare(store: string, kv: OwnedKv): Promise<void> {
  const r = await rig();
  const delayed = new DelayedEvents({
    kv,
    instanceId: "bench",
    publish: (topic, payload, o) => r.bus.publish(topic, payload, o),
    telemetry: { metric: () => {}, log: () => {} },
  });
  delayed.start();
  const plain = (i: number) => r.bus.publish("Reminder", { i }, CAUSE);
  let n = 0;
  const later = (i: number) =>
    delayed.schedule("Reminder", { i }, { ...CAUSE, idempotencyKey: `b:${n++}` }, {
      at: Date.now(),
    });
  await round(r, plain); // warm-up
  await round(r, later);
  const times = { plain: [] as number[], delayed: [] as number[] };
  for (let k = 0; k < ROUNDS; k++) {
    times.plain.push(await round(r, plain));
    times.delayed.push(await round(r, later));
  }
  await delayed.stop();
  await r.bus.close();
  await kv.close();
  const [p, d] = [median(times.plain), median(times.delayed)];
  console.log(
    `${store.padEnd(24)} plain ${p.toFixed(1).padStart(8)} us/event   delayed (delay 0) ` +
      `${d.toFixed(1).padStart(8)} us/event   x${(d / p).toFixed(1)}`,
  );
}

console.log(machineLine());
console.log(`${EVENTS} events per round, median of ${ROUNDS} rounds each, memory adapter\n`);
await compare("[state] memory", kvOver(createMemoryKvBackend()));
const dir = await Deno.makeTempDir({ prefix: "rohas-delay-bench-" });
try {
  await compare(
    "[state] denokv (default)",
    kvOver(await openDenoKvBackend({ path: `${dir}/s.kv` })),
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
