// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Memory of a small app under `rohas start` when idle: the resident set of each process of the
 * tree (the main process and its edges), split into anonymous memory (heaps, each process's own)
 * and file pages (mostly the `deno` binary, shared between the processes, so the proportional
 * share PSS is printed too), next to a bare `Deno.serve` hello world, in one run. Linux `/proc`.
 *
 * Usage: deno run -A bench/memory_bench.ts [--settle 3] [--load 0] [--workers auto] [--project <dir>]
 *   `--settle`: seconds idle before reading (after start, and after the load)
 *   `--load`: seconds of `wrk -t2 -c32` against POST /bench first, then the same reading again
 *   `--workers`: `[server] workers` of the copy of examples/hello-ts (default: its own, "auto")
 *   `--project`: serve this project instead (as is)
 *
 * @module
 */

import { parseArgs } from "node:util";
import { machineLine } from "./_machine.ts";
import { autoEdgeCount } from "../engine/edge/mod.ts";
import { procStat, REPO, spawnListening, wrkPostBench } from "./_project.ts";

/** One process's memory, in KiB. */
interface ProcessMemory {
  pid: number;
  role: string;
  rss: number;
  anon: number;
  file: number;
  pss: number;
}

/** The memory of `pid` and of its children. */
function treeMemory(pid: number): ProcessMemory[] {
  const out = [processMemory(pid, "main")];
  let edge = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    if (procStat(`/proc/${entry.name}/stat`)?.ppid !== pid) continue;
    out.push(processMemory(Number(entry.name), `edge ${++edge}`));
  }
  return out;
}

function processMemory(pid: number, role: string): ProcessMemory {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
  const kib = (text: string, key: string) =>
    Number(text.match(new RegExp(`^${key}:\\s+(\\d+)`, "m"))?.[1] ?? NaN);
  return {
    pid,
    role,
    rss: kib(status, "VmRSS"),
    anon: kib(status, "RssAnon"),
    file: kib(status, "RssFile"),
    pss: kib(rollup, "Pss"),
  };
}

function mib(kib: number): string {
  return (kib / 1024).toFixed(1).padStart(7);
}

function print(title: string, rows: ProcessMemory[]): void {
  console.log(title);
  console.log(
    `${"process".padEnd(10)} ${"RSS".padStart(7)} ${"anon".padStart(7)} ${"file".padStart(7)} ${
      "PSS".padStart(7)
    }  (MiB)`,
  );
  for (const r of rows) {
    console.log(`${r.role.padEnd(10)} ${mib(r.rss)} ${mib(r.anon)} ${mib(r.file)} ${mib(r.pss)}`);
  }
  const sum = (key: "rss" | "anon" | "file" | "pss") => rows.reduce((s, r) => s + r[key], 0);
  console.log(
    `${"total".padEnd(10)} ${mib(sum("rss"))} ${mib(sum("anon"))} ${mib(sum("file"))} ${
      mib(sum("pss"))
    }`,
  );
}

/** A copy of examples/hello-ts, with `[server] workers` set when asked. */
async function exampleCopy(workers: string | undefined): Promise<string> {
  const copy = await Deno.makeTempDir({ prefix: "rohas-memory-bench-" });
  await new Deno.Command("cp", { args: ["-r", `${REPO}/examples/hello-ts/.`, copy] }).output();
  await Deno.remove(`${copy}/.rohas`, { recursive: true }).catch(() => {});
  if (workers !== undefined) {
    const config = `${copy}/config/rohas.toml`;
    const text = await Deno.readTextFile(config);
    const value = workers === "auto" ? '"auto"' : workers;
    await Deno.writeTextFile(
      config,
      text.replace(/\[server\]\n/, `[server]\nworkers = ${value}\n`),
    );
  }
  return copy;
}

/** Waits until `pid` has `count` children (edges), or 10 s. */
async function childrenUp(pid: number, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && treeMemory(pid).length - 1 < count) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function load(url: string, seconds: number): Promise<number> {
  return Number((await wrkPostBench(url, seconds)).match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
}

function sleep(seconds: number): Promise<void> {
  return new Promise((r) => setTimeout(r, seconds * 1000));
}

const BARE =
  `Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) },
  () => Response.json({ message: "Hello, world" }));`;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      settle: { type: "string", default: "3" },
      load: { type: "string", default: "0" },
      workers: { type: "string" },
      project: { type: "string" },
    },
  });
  const settle = Number(values.settle);
  console.log(machineLine());
  const bare = await spawnListening(["eval", BARE]);
  await sleep(settle);
  print("bare Deno.serve hello world, idle", treeMemory(bare.child.pid));
  bare.child.kill("SIGTERM");
  await bare.child.status;

  const project = values.project ?? await exampleCopy(values.workers);
  const server = await spawnListening(["run", "-A", "cli.ts", "start", "--port", "0", project]);
  try {
    const probe = await fetch(`${server.url}/hello`);
    await probe.body?.cancel();
    // The edges start after the first one listens: wait for them (the auto count by default).
    const edges = values.workers === undefined || values.workers === "auto"
      ? autoEdgeCount()
      : Number(values.workers);
    await childrenUp(server.child.pid, edges);
    await sleep(settle);
    const idle = treeMemory(server.child.pid);
    print(`rohas start (${idle.length - 1} edges), idle after start`, idle);
    if (Number(values.load) > 0) {
      const rps = await load(server.url, Number(values.load));
      await sleep(settle);
      print(
        `rohas start, idle ${settle} s after ${values.load} s of wrk -t2 -c32 POST /bench (${
          rps.toFixed(0)
        } req/s)`,
        treeMemory(server.child.pid),
      );
    }
  } finally {
    server.child.kill("SIGTERM");
    await server.child.status;
    if (values.project === undefined) await Deno.remove(project, { recursive: true });
  }
}
