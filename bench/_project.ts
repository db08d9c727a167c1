/**
 * Helpers of the events and reload benchmarks: write a throw-away project, start `rohas` (or any
 * server) as a subprocess and wait for its "listening on" line, percentiles.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, without a trailing slash. */
export const REPO: string = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

/** The CLI entry of the working tree. */
export const CLI: string = join(REPO, "cli.ts");

/** The JSON body of the example's POST /bench: the 7 fields its input type validates. */
export const BENCH_BODY: string = JSON.stringify({
  name: "Ann",
  email: "ann@example.com",
  age: 31,
  score: 9.5,
  active: true,
  country: "NZ",
  joinedAt: "2024-01-02T03:04:05Z",
});

/**
 * POST /bench's validation written by hand, as source for the "same work by hand" servers: it
 * declares `DATE` and `checkBench(b)`, which lists the issues of a body like the compiled
 * validator does.
 */
export const BENCH_CHECK_SOURCE = `
const DATE = /^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$/;
function checkBench(b) {
  const details = [];
  if (typeof b?.name !== "string") details.push({ path: "name", message: "expected String" });
  if (typeof b?.email !== "string") details.push({ path: "email", message: "expected String" });
  if (!Number.isInteger(b?.age)) details.push({ path: "age", message: "expected Int" });
  if (typeof b?.score !== "number") details.push({ path: "score", message: "expected Float" });
  if (typeof b?.active !== "boolean") details.push({ path: "active", message: "expected Boolean" });
  if (typeof b?.country !== "string") details.push({ path: "country", message: "expected String" });
  if (typeof b?.joinedAt !== "string" || !DATE.test(b.joinedAt)) details.push({ path: "joinedAt", message: "expected DateTime" });
  return details;
}
`;

/**
 * POST /bench's work by hand as a `deno serve` module (its default export's `fetch`): the body
 * parsed and checked with {@linkcode BENCH_CHECK_SOURCE}, the trace id and permissive CORS headers
 * on the answer. The fair ceiling's code (`bench/http_bench.ts`) and the hand-written side of
 * `bench/socket_ab.ts`.
 */
export const BENCH_BY_HAND_MODULE = `
${BENCH_CHECK_SOURCE}export default {
  async fetch(req) {
    const traceId = crypto.randomUUID();
    const b = await req.json();
    const details = checkBench(b);
    const headers = { "X-Rohas-Trace-Id": traceId, "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Rohas-Trace-Id" };
    if (details.length > 0) return Response.json({ error: "Request body does not match", details }, { status: 422, headers });
    return Response.json({ data: { ok: true, name: b.name } }, { headers });
  },
};
`;

/** Writes files (project-relative path to content) below a new temporary directory.
 *
 * @param files the files
 * @param prefix the temporary directory's name prefix
 * @returns the directory
 */
export async function writeProject(
  files: Record<string, string>,
  prefix = "rohas-bench-",
): Promise<string> {
  const root = await Deno.makeTempDir({ prefix });
  for (const [path, content] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), content);
  }
  return root;
}

/** A `config/rohas.toml` for a benchmark project on the memory adapter.
 *
 * @param name the project name
 * @param extra more TOML appended
 * @returns the text
 */
export function benchConfig(name: string, extra = ""): string {
  return `[project]
name = "${name}"
version = "0.1.0"
language = "typescript"

[server]
host = "127.0.0.1"
port = 3999

[adapter]
type = "memory"

[telemetry]
type = "memory"
${extra}`;
}

/** A server subprocess and the URL it listens on. */
export interface Server extends AsyncDisposable {
  url: string;
  child: Deno.ChildProcess;
  /** Milliseconds from spawn to the "listening on" line. */
  listeningMs: number;
  /** Resolves with each later stdout line matching a pattern. */
  nextLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Spawns a process and waits for a `listening on http://...` line on its stdout.
 *
 * @param args arguments of `deno`
 * @param options working directory, how long to wait
 * @returns the running server; dispose it to stop it (SIGTERM)
 */
export async function startServer(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<Server> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? REPO,
    env: options.env ?? {},
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = lineReader(child.stdout);
  try {
    const line = await lines.next(/listening on (http:\/\/\S+)/, options.timeoutMs ?? 60_000);
    const url = line.match(/listening on (http:\/\/\S+)/)![1]!;
    return {
      url,
      child,
      listeningMs: performance.now() - started,
      nextLine: lines.next,
      async [Symbol.asyncDispose]() {
        try {
          child.kill("SIGTERM");
        } catch { /* already exited */ }
        await child.status;
      },
    };
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    throw error;
  }
}

/** Reads a stream line by line in the background; waits for lines matching a pattern. */
function lineReader(stream: ReadableStream<Uint8Array<ArrayBuffer>>) {
  const seen: string[] = [];
  let wake = Promise.withResolvers<void>();
  let ended = false;
  (async () => {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      seen.push(...parts);
      wake.resolve();
      wake = Promise.withResolvers();
    }
    ended = true;
    wake.resolve();
  })();
  let cursor = 0;
  return {
    async next(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
      const deadline = performance.now() + timeoutMs;
      while (true) {
        for (; cursor < seen.length; cursor++) {
          if (pattern.test(seen[cursor]!)) return seen[cursor++]!;
        }
        if (ended) throw new Error(`Process output ended before a line matching ${pattern}`);
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`No line matching ${pattern} within ${timeoutMs} ms`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          wake.promise,
          new Promise((r) => timer = setTimeout(r, left)),
        ]);
        clearTimeout(timer);
      }
    },
  };
}

/** Percentile of a sample (nearest rank).
 *
 * @param values the sample
 * @param p 0 to 100
 * @returns the value
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Wall-clock time in milliseconds with microsecond resolution, comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Options of {@linkcode spawnListening}. */
export interface SpawnOptions {
  /** More environment variables for the server. */
  env?: Record<string, string>;
  /**
   * The stream that carries the "listening on" line: `deno serve` prints it on stderr (then the
   * other stream is inherited).
   */
  announces?: "stdout" | "stderr";
}

/** Spawns a server process (cwd: the repository) and resolves once it prints its URL (a
 * "listening on http://..." line, in any case). */
export async function spawnListening(
  args: string[],
  options: SpawnOptions = {},
): Promise<{ url: string; child: Deno.ChildProcess }> {
  const announces = options.announces ?? "stdout";
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO,
    ...(options.env ? { env: options.env } : {}),
    stdout: announces === "stdout" ? "piped" : "inherit",
    stderr: announces === "stderr" ? "piped" : "inherit",
  }).spawn();
  const stream = announces === "stdout" ? child.stdout : child.stderr;
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Server exited before listening: ${text}`);
    text += value;
    const m = text.match(/listening on (http:\/\/[^\s/]+)/i);
    if (m) {
      // Keep draining the stream so the child never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done);
      })();
      return { url: m[1]!, child };
    }
  }
}

/** A `/proc/.../stat` line (a process's or a thread's), Linux only. */
export interface ProcStat {
  /** The command (or thread) name. */
  name: string;
  /** The parent process id. */
  ppid: number;
  /** User plus system CPU time, in clock ticks. */
  ticks: number;
}

/**
 * Reads a `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` file.
 *
 * @param path the file
 * @returns its name, parent and CPU ticks, or null when it is gone (or not Linux)
 */
export function procStat(path: string): ProcStat | null {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(path);
  } catch {
    return null;
  }
  // The name may hold spaces and parentheses: the fields start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

/**
 * The median of some numbers (the mean of the middle two when their count is even).
 *
 * @param values the numbers, in any order
 * @returns their median
 */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The lowest and highest of some numbers as `low-high`.
 *
 * @param values the numbers
 * @param digits decimals printed
 * @returns the range as text
 */
export function range(values: number[], digits: number): string {
  return `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
}

/** CPU ticks of one thread, by process role (`main`, `edge`) and thread name. */
export interface ThreadTicks {
  key: string;
  ticks: number;
}

/**
 * CPU ticks of every thread of `pid` and of its children (the edges), keyed `pid/tid`.
 *
 * @param pid the main process
 * @returns each thread's ticks so far
 */
export function threadTicks(pid: number): Map<string, ThreadTicks> {
  const out = new Map<string, ThreadTicks>();
  const processes: [number, string][] = [[pid, "main"]];
  for (const entry of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(entry.name) && procStat(`/proc/${entry.name}/stat`)?.ppid === pid) {
      processes.push([Number(entry.name), "edge"]);
    }
  }
  for (const [p, role] of processes) {
    let tasks: Deno.DirEntry[] = [];
    try {
      tasks = [...Deno.readDirSync(`/proc/${p}/task`)];
    } catch {
      continue; // It exited.
    }
    for (const task of tasks) {
      const stat = procStat(`/proc/${p}/task/${task.name}/stat`);
      if (stat !== null) {
        out.set(`${p}/${task.name}`, { key: `${role} ${stat.name}`, ticks: stat.ticks });
      }
    }
  }
  return out;
}

/** Clock ticks per second of `/proc` CPU times (`getconf CLK_TCK`; 100 when unknown). */
export async function clockTicks(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    return Number(new TextDecoder().decode(out.stdout).trim()) || 100;
  } catch {
    return 100;
  }
}

/** The request count of a `wrk` report (its "N requests in" line), 0 when it has none. */
export function wrkRequests(report: string): number {
  return Number(report.match(/(\d+) requests in/)?.[1] ?? 0);
}

/**
 * Loads `POST <url>/bench` with wrk (`-t2 -c32`, the BENCH_BODY) for `seconds`.
 *
 * @param url the server's base URL
 * @param seconds how long
 * @returns wrk's report, as printed
 */
export async function wrkPostBench(url: string, seconds: number): Promise<string> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = '${BENCH_BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  try {
    const args = ["-t2", "-c32", `-d${seconds}s`, "-s", script, `${url}/bench`];
    const out = await new Deno.Command("wrk", { args, stdout: "piped" }).output();
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(script);
  }
}
