// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Memory of a small app under `rohas start` when idle: the resident set of each process of the
 * tree (the main process and its edges), split into anonymous memory (heaps, each process's own)
 * and file pages (mostly the `deno` binary, shared between the processes, so the proportional
 * share PSS is printed too, and the tree's distinct pages: each physical page once), next to a bare
 * `Deno.serve` hello world, in one run. Linux `/proc`.
 *
 * Usage: deno run -A bench/memory_bench.ts [--settle 3] [--load 0] [--rounds 1] [--workers auto]
 *          [--project <dir>] [--baseline <checkout>] [--edge-v8-flags <flags>]
 *   `--settle`: seconds idle before reading (after start, and after the load)
 *   `--load`: seconds of `wrk -t2 -c32` against POST /bench first, then the same reading again
 *   `--rounds`: start and read each variant this many times, alternating; medians are reported
 *   `--workers`: `[server] workers` of the copy of examples/hello-ts (default: its own, "auto")
 *   `--project`: serve this project instead (as is)
 *   `--baseline`: also another checkout's `rohas start` (its own examples/hello-ts), to compare a
 *     change by: the paired differences of the totals are printed
 *   `--edge-v8-flags`: also this checkout with its edges run with these V8 flags
 *     (`ROHAS_EDGE_V8_FLAGS`)
 *
 * @module
 */

import { parseArgs } from "node:util";
import { machineLine } from "./_machine.ts";
import { targetLine } from "./_targets.ts";
import { autoEdgeCount } from "../engine/edge/mod.ts";
import { procStat, REPO, spawnListening, wrkPostBench } from "./_project.ts";
import { distinctResidentKiB } from "./_pages.ts";

/** The design's target for the whole tree of a small app, idle (MiB of RSS). */
const TARGET_MIB = 150;

/** One process's memory, in KiB. */
interface ProcessMemory {
  pid: number;
  role: string;
  rss: number;
  anon: number;
  file: number;
  pss: number;
}

/** A reading of a tree: its processes, and its distinct resident pages (KiB; null if hidden). */
interface Reading {
  rows: ProcessMemory[];
  distinct: number | null;
}

/** One start of a variant: idle after start, and idle after the load when there is one. */
interface Round {
  idle: Reading;
  loaded?: Reading;
  rps?: number;
}

/** A server to measure. */
interface Variant {
  name: string;
  /** The checkout whose `cli.ts` serves. */
  checkout: string;
  project: string;
  env?: Record<string, string>;
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

function reading(pid: number): Reading {
  const rows = treeMemory(pid);
  return { rows, distinct: distinctResidentKiB(rows.map((r) => r.pid)) };
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

type Column = "rss" | "anon" | "file" | "pss";

function total(r: Reading, key: Column): number {
  return r.rows.reduce((s, row) => s + row[key], 0);
}

function mib(kib: number): string {
  return (kib / 1024).toFixed(1).padStart(7);
}

function print(title: string, r: Reading): void {
  console.log(title);
  const head = ["RSS", "anon", "file", "PSS"].map((h) => h.padStart(7)).join(" ");
  console.log(`${"process".padEnd(10)} ${head}  (MiB)`);
  for (const row of r.rows) {
    console.log(
      `${row.role.padEnd(10)} ${mib(row.rss)} ${mib(row.anon)} ${mib(row.file)} ${mib(row.pss)}`,
    );
  }
  const sums = (["rss", "anon", "file", "pss"] as const).map((k) => mib(total(r, k))).join(" ");
  const distinct = r.distinct === null ? "" : `  distinct pages ${mib(r.distinct).trim()}`;
  console.log(`${"total".padEnd(10)} ${sums}${distinct}`);
}

/** A copy of `checkout`'s examples/hello-ts, with `[server] workers` set when asked. */
async function exampleCopy(checkout: string, workers: string | undefined): Promise<string> {
  const copy = await Deno.makeTempDir({ prefix: "rohas-memory-bench-" });
  await new Deno.Command("cp", { args: ["-r", `${checkout}/examples/hello-ts/.`, copy] }).output();
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

function sleep(seconds: number): Promise<void> {
  return new Promise((r) => setTimeout(r, seconds * 1000));
}

interface Options {
  settle: number;
  load: number;
  edges: number;
}

/** Starts a variant, reads it idle (and after the load), stops it. */
async function measure(variant: Variant, options: Options): Promise<Round> {
  const args = ["run", "-A", "--config", `${variant.checkout}/deno.json`];
  args.push(`${variant.checkout}/cli.ts`, "start", "--port", "0", variant.project);
  const server = await spawnListening(args, variant.env ? { env: variant.env } : {});
  try {
    const probe = await fetch(`${server.url}/hello`);
    await probe.body?.cancel();
    // The edges start after the first one listens: wait for them all.
    await childrenUp(server.child.pid, options.edges);
    await sleep(options.settle);
    const round: Round = { idle: reading(server.child.pid) };
    if (options.load > 0) {
      const report = await wrkPostBench(server.url, options.load);
      round.rps = Number(report.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
      await sleep(options.settle);
      round.loaded = reading(server.child.pid);
    }
    return round;
  } finally {
    server.child.kill("SIGTERM");
    await server.child.status;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function spread(values: number[]): string {
  const m = values.map((v) => v / 1024);
  return `${median(m).toFixed(1)} (rounds ${Math.min(...m).toFixed(1)}–${
    Math.max(...m).toFixed(1)
  })`;
}

/** The median round of a phase (by total RSS), printed, and the medians of the totals. */
function report(name: string, rounds: Round[], phase: "idle" | "loaded", settle: number): void {
  const readings = rounds.map((r) => r[phase]!);
  const byRss = [...readings].sort((a, b) => total(a, "rss") - total(b, "rss"));
  const edges = readings[0]!.rows.length - 1;
  const rps = median(rounds.map((r) => r.rps ?? 0)).toFixed(0);
  const when = phase === "idle"
    ? "idle after start"
    : `idle ${settle} s after wrk -t2 -c32 POST /bench (median ${rps} req/s)`;
  print(
    `${name} (${edges} edges), ${when}, median round of ${rounds.length}`,
    byRss[byRss.length >> 1]!,
  );
  const column = (key: Column) => spread(readings.map((r) => total(r, key)));
  const distinct = readings.every((r) => r.distinct !== null)
    ? `, distinct pages ${spread(readings.map((r) => r.distinct!))}`
    : "";
  console.log(
    `${name}, ${phase}: RSS ${column("rss")}, anon ${column("anon")}, PSS ${
      column("pss")
    }${distinct} MiB`,
  );
}

/** Paired by round: `variant` minus `base`, in MiB, for each total. */
function reportPaired(name: string, a: Round[], b: Round[], phase: "idle" | "loaded"): void {
  const diff = (key: Column | "distinct") =>
    spread(a.map((round, i) => {
      const x = round[phase]!;
      const y = b[i]![phase]!;
      return key === "distinct"
        ? (x.distinct ?? 0) - (y.distinct ?? 0)
        : total(x, key) - total(y, key);
    }));
  console.log(
    `${name} minus this checkout, ${phase}, paired by round: RSS ${diff("rss")}, anon ${
      diff("anon")
    }, PSS ${diff("pss")}, distinct pages ${diff("distinct")} MiB`,
  );
}

const BARE =
  `Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) },
  () => Response.json({ message: "Hello, world" }));`;

async function bare(settle: number): Promise<void> {
  const server = await spawnListening(["eval", BARE]);
  await sleep(settle);
  print("bare Deno.serve hello world, idle", reading(server.child.pid));
  server.child.kill("SIGTERM");
  await server.child.status;
}

async function variants(values: Record<string, string | undefined>): Promise<Variant[]> {
  const own = values.project ?? await exampleCopy(REPO, values.workers);
  const out: Variant[] = [{ name: "rohas start", checkout: REPO, project: own }];
  if (values.baseline !== undefined) {
    const project = values.project ?? await exampleCopy(values.baseline, values.workers);
    out.push({ name: `baseline ${values.baseline}`, checkout: values.baseline, project });
  }
  const flags = values["edge-v8-flags"];
  if (flags !== undefined) {
    const project = values.project ?? await exampleCopy(REPO, values.workers);
    out.push({
      name: `rohas start, edges with ${flags}`,
      checkout: REPO,
      project,
      env: { ROHAS_EDGE_V8_FLAGS: flags },
    });
  }
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      settle: { type: "string", default: "3" },
      load: { type: "string", default: "0" },
      rounds: { type: "string", default: "1" },
      workers: { type: "string" },
      project: { type: "string" },
      baseline: { type: "string" },
      "edge-v8-flags": { type: "string" },
    },
  });
  const options: Options = {
    settle: Number(values.settle),
    load: Number(values.load),
    edges: values.workers === undefined || values.workers === "auto"
      ? autoEdgeCount()
      : Number(values.workers),
  };
  console.log(machineLine());
  await bare(options.settle);
  const all = await variants(values);
  const rounds = all.map(() => [] as Round[]);
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const [i, variant] of all.entries()) rounds[i]!.push(await measure(variant, options));
    }
  } finally {
    for (const v of all) {
      if (values.project === undefined) await Deno.remove(v.project, { recursive: true });
    }
  }
  const phases = options.load > 0 ? ["idle", "loaded"] as const : ["idle"] as const;
  for (const phase of phases) {
    for (const [i, variant] of all.entries()) {
      report(variant.name, rounds[i]!, phase, options.settle);
    }
    for (let i = 1; i < all.length; i++) reportPaired(all[i]!.name, rounds[i]!, rounds[0]!, phase);
  }
  const idle = median(rounds[0]!.map((r) => total(r.idle, "rss"))) / 1024;
  console.log(
    targetLine(
      `the tree idle ≤ ${TARGET_MIB} MiB RSS`,
      idle <= TARGET_MIB,
      `${idle.toFixed(1)} MiB`,
    ),
  );
}
