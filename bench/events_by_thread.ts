// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Where the CPU of an event goes under `rohas start`: one request whose handler triggers `--burst`
 * events (the events benchmark's project: `Ping`, ordered, and `PingAnyOrder`, `ordered: false`),
 * and the CPU time of each thread of the main process and of its edges per event (Linux `/proc`),
 * with the events/s from the request's send to the last handler start.
 *
 * With `--checkout <dir>` it is an A/B: this checkout and the other one each serve the project at
 * the same time, and the rounds alternate between them (A, B, A, B...), so both see the same load;
 * the medians and ranges of each build and the ratio B/A paired by round are printed.
 *
 * With `--v8-flags <flags>` instead, B is this checkout again, its whole tree (the main process, its
 * Workers and its edges) run with these V8 flags (`DENO_V8_FLAGS`).
 *
 * Usage: deno run -A bench/events_by_thread.ts [--burst 10000] [--rounds 5] [--checkout <dir>]
 *   [--v8-flags <flags>] [--event Ping|PingAnyOrder|both] [--latency <requests per round>]
 *
 * `--latency N` adds, in each round and for each build, N requests to the API whose schema triggers
 * `Ping`, one at a time, each waiting until its event's handler started: the p50 of request send to
 * handler start, per build and paired by round.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import {
  CLI,
  clockTicks,
  median,
  percentile,
  range,
  type Server,
  startServer,
  threadTicks,
  wallMs,
} from "./_project.ts";
import { machineLine } from "./_machine.ts";
import { Collector } from "./_collector.ts";
import { writeEventsProject } from "./_events_project.ts";

/** The main process's main thread (the event bus, the wiring, telemetry), by its thread name. */
const MAIN = "main deno";

/** One burst's result: events/s and CPU µs per event, by thread key and in total. */
interface BurstResult {
  perSecond: number;
  /** Milliseconds from the request's send to the first handler start. */
  firstMs: number;
  total: number;
  byKey: Map<string, number>;
}

async function burst(
  server: Server,
  collector: Collector,
  at: { event: string; phase: string; count: number; ticksPerSecond: number },
): Promise<BurstResult> {
  const before = threadTicks(server.child.pid);
  const sent = wallMs();
  const response = await fetch(`${server.url}/burst`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: at.count, t: sent, phase: at.phase, event: at.event }),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`POST /burst: status ${response.status}`);
  const starts = await collector.phase(at.phase, at.count);
  const last = Math.max(...starts.map((r) => r.at));
  const after = threadTicks(server.child.pid);
  const byKey = new Map<string, number>();
  let total = 0;
  for (const [id, t] of after) {
    const us = (t.ticks - (before.get(id)?.ticks ?? 0)) / at.ticksPerSecond * 1e6 / at.count;
    if (us <= 0) continue;
    byKey.set(t.key, (byKey.get(t.key) ?? 0) + us);
    total += us;
  }
  const first = Math.min(...starts.map((r) => r.at));
  return { perSecond: at.count / ((last - sent) / 1000), firstMs: first - sent, total, byKey };
}

/** The p50 in ms of `count` closed-loop requests to `/emit`, request send to handler start. */
async function latencyP50(server: Server, collector: Collector, phase: string, count: number) {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${server.url}/emit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ t: wallMs(), phase }),
    });
    await response.arrayBuffer();
    await collector.phase(phase, i + 1);
  }
  return percentile((await collector.phase(phase, count)).map((r) => r.latency), 50);
}

function printPaired(label: string, a: number[], b: number[], unit: string): void {
  const ratio = a.map((x, i) => b[i]! / x);
  console.log(
    `${label}: A ${median(a).toFixed(3)} ${unit} (${range(a, 3)}), B ${median(b).toFixed(3)} ` +
      `${unit} (${range(b, 3)}), B/A paired by round x${median(ratio).toFixed(3)} (${
        range(ratio, 3)
      })`,
  );
}

function report(label: string, results: BurstResult[]): void {
  const rates = results.map((r) => r.perSecond);
  const totals = results.map((r) => r.total);
  const firsts = results.map((r) => r.firstMs);
  console.log(
    `${label}: ${median(rates).toFixed(0)} events/s (${range(rates, 0)}), ` +
      `${median(totals).toFixed(1)} us CPU/event (${range(totals, 1)}), ` +
      `first handler start after ${median(firsts).toFixed(1)} ms (${range(firsts, 1)})`,
  );
  const keys = new Set(results.flatMap((r) => [...r.byKey.keys()]));
  const rows = [...keys].map((k) => [k, median(results.map((r) => r.byKey.get(k) ?? 0))] as const)
    .filter(([, us]) => us >= 0.5).sort((a, b) => b[1] - a[1]);
  for (const [key, us] of rows) {
    console.log(`  ${key.padEnd(32)} ${us.toFixed(1).padStart(6)} us/event`);
  }
}

function uptime(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      burst: { type: "string", default: "10000" },
      rounds: { type: "string", default: "5" },
      checkout: { type: "string" },
      "v8-flags": { type: "string" },
      event: { type: "string", default: "both" },
      latency: { type: "string", default: "0" },
    },
  });
  const count = Number(values.burst);
  const events = values.event === "both" ? ["Ping", "PingAnyOrder"] : [values.event!];
  console.log(machineLine());
  console.log(`load average at start: ${uptime()}`);
  const ticksPerSecond = await clockTicks();
  const collector = new Collector();
  const flags = values["v8-flags"];
  const builds: [string, string, Record<string, string>?][] = [["A (this checkout)", CLI]];
  if (values.checkout !== undefined) {
    builds.push([`B (${values.checkout})`, join(resolve(values.checkout), "cli.ts")]);
  } else if (flags !== undefined) {
    builds.push([`B (this checkout, ${flags})`, CLI, { DENO_V8_FLAGS: flags }]);
  }
  const servers: Server[] = [];
  // A project each: two instances of one project would share its state (presence, cron claims).
  const roots: string[] = [];
  try {
    for (const [, cli, env] of builds) {
      roots.push(await writeEventsProject(collector.port));
      const args = ["run", "-A", cli, "start", "--port", "0", roots.at(-1)!];
      servers.push(await startServer(args, { env: env ?? {} }));
    }
    const results = new Map<string, BurstResult[]>();
    const latencies: number[][] = builds.map(() => []);
    const latency = Number(values.latency);
    for (let round = -1; round < Number(values.rounds); round++) {
      for (const [b, [name]] of builds.entries()) {
        if (latency > 0) {
          const p50 = await latencyP50(servers[b]!, collector, `${b}-${round}-latency`, latency);
          if (round >= 0) latencies[b]!.push(p50);
        }
        for (const event of events) {
          const phase = `${b}-${round}-${event}`;
          const result = await burst(servers[b]!, collector, {
            event,
            phase,
            count,
            ticksPerSecond,
          });
          if (round < 0) continue; // warm-up
          const key = `${name} ${event}`;
          results.set(key, [...(results.get(key) ?? []), result]);
        }
      }
    }
    console.log(`load average at end: ${uptime()}`);
    for (const [key, list] of results) report(`${key}, ${count} events x${list.length}`, list);
    if (latency > 0 && builds.length === 2) {
      printPaired("API request send to handler start, p50", latencies[0]!, latencies[1]!, "ms");
    } else if (latency > 0) console.log(`API request send to handler start, p50 ${latencies[0]}`);
    if (builds.length === 2) {
      for (const event of events) {
        const a = results.get(`${builds[0]![0]} ${event}`)!;
        const b = results.get(`${builds[1]![0]} ${event}`)!;
        const cpu = a.map((r, i) => b[i]!.total / r.total);
        const main = a.map((r, i) => (b[i]!.byKey.get(MAIN) ?? 0) / (r.byKey.get(MAIN) ?? 0));
        const rate = a.map((r, i) => b[i]!.perSecond / r.perSecond);
        console.log(
          `${event}: B/A paired by round: CPU/event x${median(cpu).toFixed(3)} (${
            range(cpu, 3)
          }), ` +
            `main thread x${median(main).toFixed(3)} (${range(main, 3)}), ` +
            `events/s x${median(rate).toFixed(3)} (${range(rate, 3)})`,
        );
      }
    }
  } finally {
    for (const server of servers) await server[Symbol.asyncDispose]();
    await collector.close();
    for (const root of roots) await Deno.remove(root, { recursive: true });
  }
}
