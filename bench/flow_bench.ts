// deno-lint-ignore-file no-console -- a benchmark prints its results
/**
 * The cost per event of the flow limits (`concurrency`, `rate`, `throttle`), each against the same
 * handler run without it, in one run: the engine's `Limiter` (engine/limits/) in front of a handler
 * that does nothing, limits set high enough that no event waits or is dropped, so what is measured
 * is the bookkeeping every event pays (reads and atomic commits of the shared state). Measured on
 * both stores a single machine uses: `memory` (one process) and `denokv` (the default `[state]`,
 * the Deno KV file the processes of one machine share), with 1 and 16 events in flight.
 *
 *   deno run -A bench/flow_bench.ts [--events 2000]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  createMemoryKvBackend,
  type Kv,
  kvOver,
  openDenoKvBackend,
  type OwnedKv,
} from "../state/mod.ts";
import type { SubscriptionControls } from "../engine/mod.ts";
import { Limiter } from "../engine/limits/mod.ts";
import { machineLine } from "./_machine.ts";

const args = parseArgs({
  args: Deno.args,
  options: { events: { type: "string", default: "2000" } },
});
const EVENTS = Number(args.values.events);
const HIGH = 1_000_000_000;

const VARIANTS: [string, SubscriptionControls | null][] = [
  ["no control", null],
  ["concurrency 1000", { concurrency: { limit: 1000 } }],
  ["concurrency 1000 by key", { concurrency: { limit: 1000, key: "key" } }],
  [`rate ${HIGH} per 1s`, { rate: { limit: HIGH, period_ms: 1000 } }],
  [`throttle ${HIGH} per 1s`, { throttle: { limit: HIGH, period_ms: 1000 } }],
  ["rate + throttle + concurrency by key", {
    rate: { limit: HIGH, period_ms: 1000 },
    throttle: { limit: HIGH, period_ms: 1000 },
    concurrency: { limit: 1000, key: "key" },
  }],
];

/** Runs EVENTS events through the limiter (or straight to the handler), `inFlight` at a time. */
async function run(kv: Kv, controls: SubscriptionControls | null, inFlight: number) {
  const limiter = controls === null
    ? null
    : Limiter.of(controls, { kv, instanceId: "bench", group: `bench.${crypto.randomUUID()}` });
  const handler = () => Promise.resolve();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < EVENTS) {
      // 100 keys, so keyed limits spread their entries as an app's customers would.
      const payload = { key: `customer-${next++ % 100}` };
      if (limiter === null) await handler();
      else await limiter.run({ payload, attempt: 1 }, handler);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const micros = (performance.now() - started) * 1000 / EVENTS;
  limiter?.close();
  return micros;
}

async function stores(): Promise<[string, () => Promise<OwnedKv>, () => Promise<void>][]> {
  const dir = await Deno.makeTempDir({ prefix: "rohas-flow-bench-" });
  return [
    ["memory", () => Promise.resolve(kvOver(createMemoryKvBackend())), () => Promise.resolve()],
    [
      "denokv",
      async () => kvOver(await openDenoKvBackend({ path: `${dir}/state.sqlite3` })),
      () => Deno.remove(dir, { recursive: true }),
    ],
  ];
}

console.log(machineLine());
console.log(`${EVENTS} events per row; microseconds per event (lower is better)`);
for (const [store, open, cleanup] of await stores()) {
  for (const inFlight of [1, 16]) {
    console.log(`\n[state] ${store}, ${inFlight} in flight`);
    const kv = await open();
    await run(kv, VARIANTS.at(-1)![1], inFlight); // warm-up: JIT, the store's first writes
    const base = await run(kv, null, inFlight);
    for (const [name, controls] of VARIANTS) {
      const micros = controls === null ? base : await run(kv, controls, inFlight);
      const extra = controls === null ? "" : `  (+${(micros - base).toFixed(1)} us)`;
      console.log(`  ${name.padEnd(38)} ${micros.toFixed(1).padStart(9)} us/event${extra}`);
    }
    await kv.close();
  }
  await cleanup();
}
