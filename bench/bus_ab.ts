// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * A/B of the event bus on the memory adapter between this checkout and another one, in one process:
 * both builds' `EventBus` and memory adapter are imported side by side and the rounds alternate
 * (A, B, A, B...), so load on a shared machine touches both alike. Each round publishes `--events`
 * events back to back (with idempotency keys and the bus's metrics going to a memory telemetry
 * recorder, as under `rohas start`) to one consumer group taking `--concurrency` at once, and waits
 * until each was delivered; it reports the process's CPU time per event (every thread: garbage
 * collection included) and events/s, with the ratio B/A paired by round.
 *
 *   deno run -A bench/bus_ab.ts --checkout <dir> [--events 20000] [--rounds 10] [--concurrency 64]
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { join, resolve } from "node:path";
import { machineLine } from "./_machine.ts";
import { median, range } from "./_project.ts";

/** What a round needs of a build. */
interface Build {
  name: string;
  // deno-lint-ignore no-explicit-any -- each checkout's own module, typed as this one's
  bus: any;
  // deno-lint-ignore no-explicit-any -- each checkout's own module, typed as this one's
  memory: any;
  // deno-lint-ignore no-explicit-any -- each checkout's own module, typed as this one's
  telemetry: any;
}

async function load(name: string, root: string): Promise<Build> {
  const url = (path: string) => new URL(`file://${join(root, path)}`).href;
  return {
    name,
    bus: await import(url("engine/events/mod.ts")),
    memory: await import(url("adapters/memory/mod.ts")),
    telemetry: await import(url("telemetry/mod.ts")),
  };
}

/** One round: CPU microseconds per event and events/s. */
async function round(
  build: Build,
  options: { events: number; concurrency: number },
): Promise<[number, number]> {
  const recorder = build.telemetry.createRecorder(build.telemetry.createMemoryStore(), {
    maxPersistedPerSecond: 1000,
  });
  const bus = new build.bus.EventBus(build.memory.createMemoryAdapter(), {
    onMetric: (sample: unknown) => recorder.metric(sample),
  });
  await bus.start();
  let delivered = 0;
  const all = Promise.withResolvers<void>();
  await bus.subscribe("Job", "bench.work", () => {
    if (++delivered === options.events) all.resolve();
    return Promise.resolve();
  }, { concurrency: options.concurrency });
  const prefix = crypto.randomUUID();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < options.events; i++) {
    await bus.publish("Job", { i, phase: "bench" }, {
      parentId: prefix,
      source: "api:Bench",
      idempotencyKey: `${prefix}:${i}`,
    });
  }
  await all.promise;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await bus.close();
  await recorder.close();
  return [(used.user + used.system) / options.events, options.events / seconds];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      checkout: { type: "string" },
      events: { type: "string", default: "20000" },
      rounds: { type: "string", default: "10" },
      concurrency: { type: "string", default: "64" },
    },
  });
  if (values.checkout === undefined) {
    console.error("Usage: deno run -A bench/bus_ab.ts --checkout <dir> [--events N] [--rounds N]");
    Deno.exit(2);
  }
  console.log(machineLine());
  console.log(`load average at start: ${Deno.readTextFileSync("/proc/loadavg").trim()}`);
  const here = resolve(new URL("..", import.meta.url).pathname);
  const builds = [await load("A (this checkout)", here), await load("B", resolve(values.checkout))];
  const options = { events: Number(values.events), concurrency: Number(values.concurrency) };
  const cpu: number[][] = [[], []];
  const rate: number[][] = [[], []];
  for (let r = -1; r < Number(values.rounds); r++) {
    for (const [b, build] of builds.entries()) {
      const [us, perSecond] = await round(build, options);
      if (r < 0) continue; // warm-up
      cpu[b]!.push(us);
      rate[b]!.push(perSecond);
    }
  }
  console.log(`load average at end: ${Deno.readTextFileSync("/proc/loadavg").trim()}`);
  for (const [b, build] of builds.entries()) {
    console.log(
      `${build.name}: ${median(cpu[b]!).toFixed(2)} us CPU/event (${range(cpu[b]!, 2)}), ` +
        `${median(rate[b]!).toFixed(0)} events/s (${range(rate[b]!, 0)})`,
    );
  }
  const paired = cpu[0]!.map((a, i) => cpu[1]![i]! / a);
  const pairedRate = rate[0]!.map((a, i) => rate[1]![i]! / a);
  console.log(
    `B/A paired by round: CPU/event x${median(paired).toFixed(3)} (${range(paired, 3)}), ` +
      `events/s x${median(pairedRate).toFixed(3)} (${range(pairedRate, 3)})`,
  );
}
