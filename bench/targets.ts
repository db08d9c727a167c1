// deno-lint-ignore-file no-console -- the benchmark runner prints
/**
 * `deno task bench:targets`: the runs the performance targets are judged by. Each run is the four
 * benchmarks behind the targets of docs/design.md ("Measured targets"), one after another: HTTP
 * against the fair ceiling (`http_bench.ts`), events (`events_bench.ts`), memory
 * (`memory_bench.ts`) and Python (`python_bench.ts`). Each run's output goes to
 * `bench/results/targets-<time>-<run>.txt` and its `target:` lines, with the date and the machine,
 * to one line of `bench/results/targets.jsonl`; then it prints each target's verdict per run, and
 * from the whole history of this machine's checkout, the days on which each target was met.
 *
 * A target is met when it holds in three runs on different days: one run may meet it on a quiet
 * machine and the next miss it on a busy one (see BENCHMARKS.md). Run it with nothing else
 * running: no test suite, no brokers.
 *
 *   deno task bench:targets               # three runs
 *   deno task bench:targets --runs 1      # one
 *   deno task bench:targets --history     # only the verdicts recorded so far
 *   deno task bench:targets --history --markdown   # the same as a table for BENCHMARKS.md
 *
 * Needs `wrk`, and for the Python target `python3` with `pydantic fastapi uvicorn` (without them
 * that benchmark is reported as skipped and its targets as not measured).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { machineLine } from "./_machine.ts";
import { parseTargets, type TargetResult } from "./_targets.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const RESULTS = fileURLToPath(new URL("./results/", import.meta.url));
const HISTORY = `${RESULTS}targets.jsonl`;

/** The benchmarks of one run, with the options the recorded runs use. */
const STEPS: readonly { name: string; args: string[] }[] = [
  {
    name: "http",
    args: [
      "bench/http_bench.ts",
      "--duration",
      "4",
      "--rounds",
      "5",
      "--only",
      "^bare|rohas start POST",
    ],
  },
  { name: "events", args: ["bench/events_bench.ts"] },
  { name: "memory", args: ["bench/memory_bench.ts", "--load", "5"] },
  { name: "python", args: ["bench/python_bench.ts", "--rounds", "3"] },
];

/** One run as recorded in the history: its `target:` lines as printed, read back on each use. */
export interface RecordedRun {
  /** When the run started, ISO 8601 UTC. */
  at: string;
  machine: string;
  /** The `target:` lines the run printed. */
  lines: string[];
  /** Benchmarks that failed or could not run, with why. */
  missing: string[];
}

/** A recorded run's targets. */
function targetsOf(run: RecordedRun): TargetResult[] {
  return parseTargets(run.lines.join("\n"));
}

/** Runs one benchmark; its output is appended to `log`. */
async function step(args: string[], log: Deno.FsFile): Promise<{ ok: boolean; output: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [out, err, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.status,
  ]);
  const output = out + err;
  await log.write(new TextEncoder().encode(`--- deno run -A ${args.join(" ")}\n${output}\n`));
  return { ok: status.success, output };
}

async function run(index: number, stamp: string): Promise<RecordedRun> {
  const at = new Date().toISOString();
  const file = `${RESULTS}targets-${stamp}-${index + 1}.txt`;
  using log = await Deno.open(file, { create: true, write: true, truncate: true });
  const lines: string[] = [];
  const missing: string[] = [];
  for (const { name, args } of STEPS) {
    const started = performance.now();
    console.log(`run ${index + 1}: ${name} ...`);
    const { ok, output } = await step(args, log);
    const found = parseTargets(output);
    lines.push(...output.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("target: ")));
    if (!ok || found.length === 0) missing.push(`${name}: ${lastLine(output)}`);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`run ${index + 1}: ${name} done in ${seconds} s, ${found.length} targets`);
  }
  console.log(`run ${index + 1}: output in ${file}`);
  return { at, machine: machineLine(), lines, missing };
}

function lastLine(output: string): string {
  return output.trim().split("\n").at(-1)?.trim() || "no output";
}

/**
 * Each target's verdict in each run.
 *
 * @param runs the runs, oldest first
 * @returns one line per target: its name, then `met`/`no` per run with the figure
 */
export function verdictTable(runs: readonly RecordedRun[]): string[] {
  const targets = runs.map(targetsOf);
  const names = [...new Set(targets.flat().map((t) => t.name))];
  return names.map((name) => {
    const cells = targets.map((list) => {
      const t = list.find((x) => x.name === name);
      return t === undefined ? "not measured" : `${t.met ? "met" : "no"} (${t.figure})`;
    });
    return `${name}: ${cells.join(" | ")}`;
  });
}

/** How many runs of one UTC day measured a target, and how many of them met it. */
export interface DayCount {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  met: number;
  runs: number;
}

/**
 * Each target's runs by UTC day: how many measured it and how many met it, oldest day first.
 *
 * @param runs the recorded runs
 * @returns target name to its days
 * @example
 * ```ts
 * import { dayCounts } from "./targets.ts";
 * const run = (at: string, met: boolean) => ({
 *   at, machine: "m", missing: [], lines: [`target: p50 < 0.5 ms: ${met ? "met" : "not met"} (0.4 ms)`],
 * });
 * const [day] = dayCounts([run("2026-12-07T10:00:00Z", true), run("2026-12-07T11:00:00Z", false)])
 *   .get("p50 < 0.5 ms")!;
 * console.assert(day!.day === "2026-12-07" && day!.met === 1 && day!.runs === 2);
 * ```
 */
export function dayCounts(runs: readonly RecordedRun[]): Map<string, DayCount[]> {
  const byTarget = new Map<string, Map<string, DayCount>>();
  for (const r of runs) {
    const day = r.at.slice(0, 10);
    for (const t of targetsOf(r)) {
      const days = byTarget.get(t.name) ?? new Map<string, DayCount>();
      const count = days.get(day) ?? { day, met: 0, runs: 0 };
      count.runs++;
      if (t.met) count.met++;
      days.set(day, count);
      byTarget.set(t.name, days);
    }
  }
  return new Map(
    [...byTarget].map(([name, days]) => [
      name,
      [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    ]),
  );
}

/**
 * The UTC days on which each target was met in at least one run.
 *
 * @param runs the recorded runs
 * @returns target name to its days, sorted
 * @example
 * ```ts
 * import { daysMet } from "./targets.ts";
 * const run = (at: string, met: boolean) => ({
 *   at, machine: "m", missing: [], lines: [`target: p50 < 0.5 ms: ${met ? "met" : "not met"} (0.4 ms)`],
 * });
 * const days = daysMet([run("2026-12-07T10:00:00Z", true), run("2026-12-08T10:00:00Z", false)]);
 * console.assert(days.get("p50 < 0.5 ms")?.join() === "2026-12-07");
 * ```
 */
export function daysMet(runs: readonly RecordedRun[]): Map<string, string[]> {
  const days = new Map<string, string[]>();
  for (const [name, counts] of dayCounts(runs)) {
    days.set(name, summary(counts).metDays);
  }
  return days;
}

/** Days with a met run a target needs. */
const DAYS_NEEDED = 3;

/** One target's history in sum: its runs met, its runs, the days it was met on. */
function summary(days: readonly DayCount[]): { met: number; runs: number; metDays: string[] } {
  let met = 0;
  let runs = 0;
  for (const d of days) {
    met += d.met;
    runs += d.runs;
  }
  return { met, runs, metDays: days.filter((d) => d.met > 0).map((d) => d.day) };
}

/**
 * The history as a Markdown table for BENCHMARKS.md: per target, its runs met, each day's count
 * and whether it was met on {@linkcode DAYS_NEEDED} days.
 *
 * @param runs the recorded runs
 * @returns the table's lines
 */
export function historyTable(runs: readonly RecordedRun[]): string[] {
  const lines = [
    "| target | runs met | by UTC day (met of runs) | met on three days |",
    "| --- | --- | --- | --- |",
  ];
  for (const [name, days] of dayCounts(runs)) {
    const { met, runs: measured, metDays } = summary(days);
    const byDay = days.map((d) => `${d.day}: ${d.met} of ${d.runs}`).join("; ");
    const verdict = metDays.length >= DAYS_NEEDED ? "yes" : `not yet (${metDays.length})`;
    lines.push(
      `| ${name.replaceAll("|", "\\|")} | ${met} of ${measured} | ${byDay} | ${verdict} |`,
    );
  }
  return lines;
}

async function readHistory(): Promise<RecordedRun[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(HISTORY);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as RecordedRun);
}

function printHistory(history: readonly RecordedRun[]): void {
  console.log(`\nhistory (${HISTORY}): ${history.length} runs`);
  for (const [name, days] of dayCounts(history)) {
    const { met, runs, metDays } = summary(days);
    const verdict = metDays.length >= DAYS_NEEDED
      ? "met on three days or more"
      : "not yet on three days";
    console.log(
      `  ${name}: met in ${met} of ${runs} runs; days ${metDays.join(", ") || "none"}: ${verdict}`,
    );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "3" },
      history: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("Usage: deno task bench:targets [--runs 3] [--history [--markdown]]");
    Deno.exit(0);
  }
  const count = Number(values.runs);
  if (!values.history && !(Number.isInteger(count) && count >= 1)) {
    console.error(`--runs must be a whole number of at least 1, not "${values.runs}"`);
    Deno.exit(2);
  }
  await Deno.mkdir(RESULTS, { recursive: true });
  if (!values.history) {
    console.log(machineLine());
    const stamp = new Date().toISOString().slice(0, 16).replace(":", "");
    const runs: RecordedRun[] = [];
    for (let i = 0; i < count; i++) {
      const recorded = await run(i, stamp);
      runs.push(recorded);
      await Deno.writeTextFile(HISTORY, JSON.stringify(recorded) + "\n", { append: true });
    }
    console.log(
      `\nthis invocation, ${count} runs (${runs.map((r) => r.at.slice(11, 16)).join(", ")} UTC):`,
    );
    for (const line of verdictTable(runs)) console.log(`  ${line}`);
    for (const [i, r] of runs.entries()) {
      for (const m of r.missing) console.log(`  run ${i + 1} did not measure ${m}`);
    }
  }
  const history = await readHistory();
  if (values.markdown) {
    for (const line of historyTable(history)) console.log(line);
  } else {
    printHistory(history);
  }
}
