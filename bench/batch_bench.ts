// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Batch and debounce benchmark: the cost per event of a handler with `batch` or `debounce` against
 * the same handler without them, side by side in one run, through the engine's own event wiring
 * (`createEngine`, the event bus on the memory adapter, the in-process runtime, so the flow
 * controls' own cost is not hidden behind a broker's):
 *
 * - plain: each event runs the handler;
 * - `batch: 100 within 50ms`: the handler runs once per 100 events;
 * - `debounce: 1s by k` over 1,000 keys (trailing): each event rewrites its key's burst entry in
 *   `state.kv`, each key runs once, a second after its last event;
 * - `debounce: 1s by k leading` over the same keys: each key's first event runs at once.
 *
 * Debounce runs on each `[state]` store given: `memory` (this process) and `denokv` (a file, the
 * default, which every instance on one machine shares). Per event: the time from the first publish
 * until every event was taken (run, batched and run, or stored in its burst), divided by the
 * events. A trailing burst's run then comes a period later; it is waited for, not counted.
 *
 *   deno run -A bench/batch_bench.ts [--events 20000] [--keys 1000]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { EventBus } from "../engine/events/mod.ts";
import { buildAppModel, createEngine, type Engine } from "../engine/mod.ts";
import { createInProcessRuntime } from "../engine/runtime/mod.ts";
import { parseSchema } from "../parser/mod.ts";
import { parseConfig } from "../project/mod.ts";
import { createMemoryKvBackend, type Kv, kvOver, openDenoKvBackend } from "../state/mod.ts";
import { machineLine } from "./_machine.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "20000" },
    keys: { type: "string", default: "1000" },
  },
});
const EVENTS = Number(values.events);
const KEYS = Number(values.keys);

const VARIANTS = {
  plain: "",
  batch: "on work { batch: 100 within 50ms }",
  trailing: "on work { debounce: 1s by k }",
  leading: "on work { debounce: 1s by k leading }",
} as const;
type Variant = keyof typeof VARIANTS;

interface Row {
  variant: string;
  state: string;
  perEventUs: number;
  calls: number;
  /** From every event taken to every burst run, ms. */
  tailMs: number;
}

/** One engine with handler `work` on event `Job` under the variant's controls. */
async function run(variant: Variant, kv: Kv, state: string): Promise<Row> {
  const schema =
    `type Job { k: String n: Int }\nevent Job {\n  payload: Job\n  handler: [work]\n  ` +
    `${VARIANTS[variant]}\n}\n`;
  const parsed = parseSchema(schema);
  const config = parseConfig("", { file: "rohas.toml", projectName: `flow-${variant}` });
  const model = buildAppModel(parsed.schema, config, { root: "/bench", exists: () => true });
  let calls = 0;
  let seen = 0;
  const done = Promise.withResolvers<void>();
  const expected = expectedRuns(variant);
  const work = (events: unknown) => {
    calls++;
    seen += Array.isArray(events) ? events.length : 1;
    if (seen >= expected) done.resolve();
  };
  const bus = new EventBus(createMemoryAdapter());
  await bus.start();
  const engine: Engine = createEngine({
    model,
    config,
    bus,
    runtime: createInProcessRuntime({
      manifest: { root: "file:///bench/", modules: { "src/handlers/events/work.ts": { work } } },
    }),
    sharedState: kv,
  });
  await engine.start();
  const started = performance.now();
  const publishing: Promise<unknown>[] = [];
  for (let n = 0; n < EVENTS; n++) {
    publishing.push(
      engine.publish("Job", { k: `k${n % KEYS}`, n }, { parentId: null, source: "bench" }),
    );
  }
  await Promise.all(publishing);
  await engine.idle();
  if (variant === "plain" || variant === "batch") await done.promise;
  const elapsed = performance.now() - started;
  await timersGone(kv);
  const tailMs = performance.now() - started - elapsed;
  await engine.close();
  await bus.close();
  return { variant, state, perEventUs: (elapsed * 1000) / EVENTS, calls, tailMs };
}

/** Resolves once no debounce timer is left (every trailing burst ran). */
async function timersGone(kv: Kv): Promise<void> {
  for (;;) {
    let left = false;
    for await (const _ of kv.list({ prefix: ["_rohas", "timers"] }, { limit: 1 })) left = true;
    if (!left) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Events the handler sees: every one, or one per key (debounce). */
function expectedRuns(variant: Variant): number {
  return variant === "trailing" || variant === "leading" ? KEYS : EVENTS;
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(`${EVENTS} events, debounce over ${KEYS} keys, memory adapter, in-process handler`);
  const rows: Row[] = [];
  const memory = () => kvOver(createMemoryKvBackend());
  for (const variant of ["plain", "batch"] as const) rows.push(await run(variant, memory(), "—"));
  const dir = await Deno.makeTempDir({ prefix: "rohas_batch_bench_" });
  try {
    for (const variant of ["trailing", "leading"] as const) {
      rows.push(await run(variant, memory(), "memory"));
      const file = kvOver(await openDenoKvBackend({ path: `${dir}/${variant}.kv` }));
      rows.push(await run(variant, file, "denokv"));
      await file.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const plain = rows[0]!.perEventUs;
  console.log("| handler | state.kv | µs per event | × plain | handler calls | last run after |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    const ratio = (r.perEventUs / plain).toFixed(2);
    console.log(
      `| ${r.variant} | ${r.state} | ${r.perEventUs.toFixed(1)} | ${ratio} | ${r.calls} | ` +
        `${r.variant === "trailing" ? `${Math.round(r.tailMs)} ms` : ""} |`,
    );
  }
}

if (import.meta.main) await main();
