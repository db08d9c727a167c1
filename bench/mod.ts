// deno-lint-ignore-file no-console -- the benchmark runner prints
/**
 * `deno task bench [name...]`: runs each benchmark script of this folder as its own process, in
 * sequence, streaming its output, then prints a summary of the key lines (ratios, targets) each
 * one printed. A benchmark whose tool is missing (wrk, python packages) is reported as skipped
 * with what to install, and the runner carries on; so does a benchmark that fails.
 *
 *   deno task bench                 # every benchmark that exists
 *   deno task bench http events     # only these
 *   deno task bench --list          # names and files
 *   deno task bench --timeout 300   # stop a benchmark after 300 s (default 900) and carry on
 *
 * Besides the known benchmarks (in a fixed order), every other `bench/*_bench.ts` runs too, after
 * them, named after its file.
 *
 * A benchmark script may exit with {@linkcode SKIP_EXIT_CODE} after printing why it cannot run;
 * the runner reports it as skipped rather than failed.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { machineLine } from "./_machine.ts";

/** The exit code a benchmark uses for "something this benchmark needs is missing". */
export const SKIP_EXIT_CODE = 78;

const BENCH_DIR = fileURLToPath(new URL("./", import.meta.url));
const REPO = fileURLToPath(new URL("../", import.meta.url));
/** Key lines per benchmark in the summary, at most. */
const MAX_KEY_LINES = 20;
/** A line worth repeating in the summary: a ratio, a target, a median, a rate. */
const KEY_LINE = /(\bx\d|\d\s?x\b|\bratio\b|\btarget\b|\bmedian\b|\bp50\b|\/s\b)/i;

/** A benchmark script and what it needs from the machine. */
interface Benchmark {
  name: string;
  file: string;
  /** Which output lines the summary repeats. Default {@linkcode KEY_LINE}. */
  key?: RegExp;
  /** Resolves to null when the machine has what it needs, else what is missing and how to get it. */
  needs?: () => Promise<string | null>;
}

const BENCHMARKS: readonly Benchmark[] = [
  { name: "parser", file: "parser_bench.ts", key: /^\s*(scale|\d+x)\s/ },
  { name: "codegen", file: "codegen_bench.ts" },
  { name: "validator", file: "validator_bench.ts" },
  { name: "runtime", file: "runtime_bench.ts" },
  {
    name: "http",
    file: "http_bench.ts",
    needs: () => needCommand("wrk", "apt-get install -y wrk"),
  },
  {
    name: "serve",
    file: "serve_bench.ts",
    key: /req\/s/,
    needs: () => needCommand("wrk", "apt-get install -y wrk"),
  },
  { name: "memory", file: "memory_bench.ts", key: /^(total|rohas start|bare)/ },
  { name: "events", file: "events_bench.ts" },
  { name: "reload", file: "reload_bench.ts" },
  { name: "python", file: "python_bench.ts", needs: needPython },
  { name: "adapters", file: "adapters_bench.ts" },
];

/**
 * The known benchmarks in their order, then any other `*_bench.ts` of this folder (named after
 * the file: `adapters_embedded_bench.ts` is `adapters-embedded`), each with whether it exists.
 */
async function catalogue(): Promise<(Benchmark & { exists: boolean })[]> {
  const files = new Set<string>();
  for await (const entry of Deno.readDir(BENCH_DIR)) {
    if (entry.isFile && entry.name.endsWith("_bench.ts")) files.add(entry.name);
  }
  const known = BENCHMARKS.map((b) => ({ ...b, exists: files.has(b.file) }));
  const others = [...files].filter((f) => !BENCHMARKS.some((b) => b.file === f)).sort()
    .map((file) => ({
      name: file.slice(0, -"_bench.ts".length).replaceAll("_", "-"),
      file,
      exists: true,
    }));
  return [...known, ...others];
}

/** How one benchmark ended. */
type Outcome =
  | { kind: "ok"; seconds: number; keyLines: string[] }
  | { kind: "failed"; seconds: number; code: number; keyLines: string[]; lastError: string }
  | { kind: "skipped"; reason: string };

async function needCommand(command: string, install: string): Promise<string | null> {
  try {
    await new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return null;
  } catch {
    return `needs \`${command}\` (Debian: ${install})`;
  }
}

async function needPython(): Promise<string | null> {
  const missing = await needCommand("python3", "apt-get install -y python3");
  if (missing) return missing;
  const probe = await new Deno.Command("python3", {
    args: ["-c", "import pydantic, fastapi, uvicorn"],
    stdout: "null",
    stderr: "null",
  }).output();
  return probe.success ? null : "needs python3 with `pip install pydantic fastapi uvicorn`";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Copies a stream to a writer while keeping its text. */
async function tee(
  stream: ReadableStream<Uint8Array>,
  out: { write(p: Uint8Array): Promise<number> },
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    let written = 0;
    while (written < chunk.length) written += await out.write(chunk.subarray(written));
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

function keyLines(text: string, key: RegExp): string[] {
  const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
  const keys = lines.filter((l) => key.test(l));
  return (keys.length > 0 ? keys : lines.slice(-3)).slice(0, MAX_KEY_LINES);
}

/** Stops a child that runs past the deadline: SIGTERM, then SIGKILL 5 s later. */
function watchdog(
  child: Deno.ChildProcess,
  timeoutMs: number,
): { expired(): boolean; clear(): void } {
  let expired = false;
  let kill: ReturnType<typeof setTimeout> | undefined;
  const term = setTimeout(() => {
    expired = true;
    signal(child, "SIGTERM");
    kill = setTimeout(() => signal(child, "SIGKILL"), 5_000);
  }, timeoutMs);
  return {
    expired: () => expired,
    clear() {
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch { /* already exited */ }
}

async function run(benchmark: Benchmark, timeoutMs: number): Promise<Outcome> {
  const path = `${BENCH_DIR}${benchmark.file}`;
  if (!(await exists(path))) {
    return { kind: "skipped", reason: `bench/${benchmark.file} not found` };
  }
  const missing = await benchmark.needs?.();
  if (missing) return { kind: "skipped", reason: missing };
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = watchdog(child, timeoutMs);
  const [stdout, stderr, status] = await Promise.all([
    tee(child.stdout, Deno.stdout),
    tee(child.stderr, Deno.stderr),
    child.status,
  ]).finally(() => timer.clear());
  const seconds = (performance.now() - started) / 1000;
  const key = benchmark.key ?? KEY_LINE;
  const lastError = timer.expired()
    ? `stopped after the ${timeoutMs / 1000} s timeout (--timeout)`
    : stderr.trim().split("\n").at(-1) ?? "";
  if (status.code === SKIP_EXIT_CODE && !timer.expired()) {
    return { kind: "skipped", reason: lastError || stdout.trim().split("\n").at(-1) || "" };
  }
  if (!status.success || timer.expired()) {
    return {
      kind: "failed",
      seconds,
      code: status.code,
      keyLines: keyLines(stdout, key),
      lastError,
    };
  }
  return { kind: "ok", seconds, keyLines: keyLines(stdout, key) };
}

function describe(name: string, outcome: Outcome): string {
  switch (outcome.kind) {
    case "ok":
      return [`${name} (${outcome.seconds.toFixed(0)} s)`, ...indent(outcome.keyLines)].join("\n");
    case "failed":
      return [
        `${name}: FAILED with exit code ${outcome.code} after ${outcome.seconds.toFixed(0)} s`,
        ...indent(outcome.keyLines),
        ...indent(outcome.lastError ? [`last error: ${outcome.lastError}`] : []),
      ].join("\n");
    case "skipped":
      return `${name}: skipped, ${outcome.reason}`;
  }
}

function indent(lines: string[]): string[] {
  return lines.map((l) => `    ${l.trim()}`);
}

/** Every existing benchmark when no names are given, else the named ones (in catalogue order). */
function select(
  all: (Benchmark & { exists: boolean })[],
  names: string[],
): Benchmark[] | string {
  if (names.length === 0) return all.filter((b) => b.exists);
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length > 0) {
    return `Unknown benchmark "${unknown[0]}": expected one of ${
      all.map((b) => b.name).join(", ")
    }`;
  }
  return all.filter((b) => names.includes(b.name));
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { list: { type: "boolean" }, timeout: { type: "string", default: "900" } },
    allowPositionals: true,
  });
  const all = await catalogue();
  console.log(machineLine());
  if (values.list) {
    for (const b of all) {
      console.log(`${b.name.padEnd(18)} bench/${b.file}${b.exists ? "" : " (not written yet)"}`);
    }
    return 0;
  }
  const selected = select(all, positionals);
  if (typeof selected === "string") {
    console.error(`Error: ${selected}`);
    return 1;
  }
  const outcomes: [string, Outcome][] = [];
  for (const benchmark of selected) {
    console.log(`\n=== ${benchmark.name} (bench/${benchmark.file}) ${new Date().toISOString()}`);
    const outcome = await run(benchmark, Number(values.timeout) * 1000);
    if (outcome.kind === "skipped") console.log(`skipped: ${outcome.reason}`);
    outcomes.push([benchmark.name, outcome]);
  }
  console.log(
    `\n=== summary (${Deno.build.os}, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}): ratios are side by side in one run; this machine is shared and noisy`,
  );
  for (const [name, outcome] of outcomes) console.log(describe(name, outcome));
  return outcomes.some(([, o]) => o.kind === "failed") ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
