// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Where the CPU of `rohas start` goes under load: the CPU time of each thread of the main process
 * and of its edge processes (Linux `/proc`), per request of a `wrk` run against POST /bench. It
 * shows what the http benchmark's single "cpu/request" figure is made of, such as the telemetry
 * store's compaction thread or the main isolate writing edges' records.
 *
 * Usage: deno run -A bench/cpu_by_thread.ts [--seconds 15] [--checkout <dir>] [--fresh] <project dir>
 *   `--checkout`: serve with another checkout's cli.ts, to compare a change by
 *   `--fresh`: remove the project's `.rohas/telemetry` first, so the run starts with an empty store
 * Needs `wrk`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import {
  clockTicks,
  REPO,
  spawnListening,
  threadTicks,
  wrkPostBench,
  wrkRequests,
} from "./_project.ts";

async function wrk(url: string, seconds: number): Promise<number> {
  return wrkRequests(await wrkPostBench(url, seconds));
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      seconds: { type: "string", default: "15" },
      checkout: { type: "string" },
      fresh: { type: "boolean", default: false },
    },
  });
  const project = positionals[0];
  if (project === undefined) {
    console.error(
      "Usage: deno run -A bench/cpu_by_thread.ts [--seconds 15] [--checkout <dir>] [--fresh] <project dir>",
    );
    Deno.exit(2);
  }
  const dir = resolve(project);
  if (values.fresh) {
    await Deno.remove(join(dir, ".rohas", "telemetry"), { recursive: true }).catch(() => {});
  }
  const cli = join(values.checkout === undefined ? REPO : resolve(values.checkout), "cli.ts");
  const server = await spawnListening(["run", "-A", cli, "start", "--port", "0", dir]);
  try {
    await wrk(server.url, 2); // warm-up
    const before = threadTicks(server.child.pid);
    const requests = await wrk(server.url, Number(values.seconds));
    const after = threadTicks(server.child.pid);
    const ticksPerSecond = await clockTicks();
    const byKey = new Map<string, number>();
    for (const [id, t] of after) {
      const spent = t.ticks - (before.get(id)?.ticks ?? 0);
      byKey.set(t.key, (byKey.get(t.key) ?? 0) + spent);
    }
    const rows = [...byKey].filter(([, ticks]) => ticks > 0).sort((a, b) => b[1] - a[1]);
    const us = (ticks: number) => (ticks / ticksPerSecond) * 1e6 / requests;
    console.log(`${requests} requests in ${values.seconds} s (wrk -t2 -c32, POST /bench)`);
    for (const [key, ticks] of rows) {
      console.log(`${key.padEnd(32)} ${us(ticks).toFixed(2).padStart(7)} us/request`);
    }
    const total = rows.reduce((sum, [, ticks]) => sum + ticks, 0);
    console.log(`${"total".padEnd(32)} ${us(total).toFixed(2).padStart(7)} us/request`);
  } finally {
    server.child.kill("SIGTERM");
    await server.child.status;
  }
}
