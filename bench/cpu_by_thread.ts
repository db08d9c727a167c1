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
import { BENCH_BODY as BODY, REPO, spawnListening } from "./_project.ts";

/** CPU ticks of one thread, by process role and thread name. */
interface ThreadTicks {
  key: string;
  ticks: number;
}

/** Every thread of `pid` and of its children, keyed `role/name/tid`. */
function snapshot(pid: number): Map<string, ThreadTicks> {
  const out = new Map<string, ThreadTicks>();
  const processes: [number, string][] = [[pid, "main"]];
  for (const entry of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(entry.name) && parentOf(Number(entry.name)) === pid) {
      processes.push([Number(entry.name), "edge"]);
    }
  }
  for (const [p, role] of processes) {
    for (const task of safeReadDir(`/proc/${p}/task`)) {
      const stat = safeRead(`/proc/${p}/task/${task}/stat`);
      if (stat === null) continue;
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      out.set(`${p}/${task}`, { key: `${role} ${name}`, ticks });
    }
  }
  return out;
}

function parentOf(pid: number): number {
  const stat = safeRead(`/proc/${pid}/stat`);
  return stat === null ? -1 : Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function safeRead(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

function safeReadDir(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].map((e) => e.name);
  } catch {
    return [];
  }
}

async function wrk(url: string, seconds: number): Promise<number> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  try {
    const args = ["-t2", "-c32", `-d${seconds}s`, "-s", script, `${url}/bench`];
    const out = await new Deno.Command("wrk", { args, stdout: "piped" }).output();
    return Number(new TextDecoder().decode(out.stdout).match(/(\d+) requests in/)?.[1] ?? 0);
  } finally {
    await Deno.remove(script);
  }
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
    const before = snapshot(server.child.pid);
    const requests = await wrk(server.url, Number(values.seconds));
    const after = snapshot(server.child.pid);
    const ticksPerSecond = 100; // USER_HZ on Linux
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
