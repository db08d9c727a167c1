// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * HTTP benchmark (docs/design.md#measured-targets): requests/s and p50/p99 latency of a TypeScript
 * handler through the whole pipeline (routing, validation of a 7-field body, telemetry on) under
 * `rohas start` (edge processes running the handler in the isolate that took the request) next to a
 * bare `Deno.serve` hello world and Hono on Deno, measured with `wrk` in one run, with ratios.
 *
 * Usage: deno run -A bench/http_bench.ts [--duration 5] [--connections 32] [--threads 2] [--rounds 3]
 *        [--experiments]   (also: the example served in-process inside Workers sharing one port)
 *        [--only <regex>]  (only the variants whose name matches, such as `telemetry|recorder`)
 *        [--baseline <checkout>]  (also: `rohas start` of another checkout, to compare a change by)
 *        [--edges 2,3]     (also: `rohas start` with `[server] workers` set to each count, to choose
 *                          the default by)
 *        [--edge-v8-flags <flags>]  (also: `rohas start` with its edges run with these V8 flags)
 * It ends with ratios paired by round (each round's two runs back to back, so a drift in the
 * machine's load between rounds cancels): `rohas start` over bare `Deno.serve`, and what telemetry
 * costs, each "telemetry on" variant's throughput over its "off" one; median and range.
 * Each row also shows the server's CPU time per request (all its threads, from `/proc` on Linux):
 * on a shared machine it moves far less than requests/s, so it is the number to compare changes by.
 * Needs `wrk` (Debian: `apt-get install -y wrk`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import {
  BENCH_BODY as BODY,
  BENCH_BY_HAND_MODULE,
  BENCH_CHECK_SOURCE,
  clockTicks,
  procStat,
  spawnListening,
  wrkRequests,
} from "./_project.ts";
import { machineLine } from "./_machine.ts";
import { targetLine } from "./_targets.ts";
import { autoEdgeCount } from "../engine/edge/mod.ts";
import { freePort } from "../testing/mod.ts";

const repo = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

const BARE = `
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) },
  () => Response.json({ message: "Hello, world" }));
`;

const HONO = `
import { Hono } from "hono";
const app = new Hono();
app.get("/", (c) => c.json({ message: "Hello, world" }));
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) }, app.fetch);
`;

/**
 * Hono doing the work of the example's POST /bench by hand: permissive CORS exposing the trace id
 * header, the JSON body parsed and its 7 fields checked (422 with details), a trace id on the
 * answer. The comparison for "above Hono" on equal work; the hello world above is the other one.
 */
const HONO_APP = `
import { Hono } from "hono";
import { cors } from "hono/cors";
${BENCH_CHECK_SOURCE}const app = new Hono();
app.use("*", cors({ origin: "*", exposeHeaders: ["X-Rohas-Trace-Id"] }));
app.post("/bench", async (c) => {
  const traceId = crypto.randomUUID();
  let b;
  try { b = await c.req.json(); } catch { return c.json({ error: "Malformed JSON body", trace_id: traceId }, 400); }
  const details = checkBench(b);
  c.header("X-Rohas-Trace-Id", traceId);
  if (details.length > 0) return c.json({ error: "Request body does not match", details, trace_id: traceId }, 422);
  return c.json({ data: { ok: true, name: b.name } });
});
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) }, app.fetch);
`;

/**
 * Bare `Deno.serve` doing the work of POST /bench by hand, with nothing a framework adds: the body
 * parsed and its 7 fields checked, the trace id and permissive CORS headers on the answer. The floor
 * of what that contract costs in Deno's own APIs, to read the pipeline's CPU per request against.
 */
const BARE_APP = `
const DATE = /^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$/;
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) }, async (req) => {
  const traceId = crypto.randomUUID();
  const b = await req.json();
  const ok = typeof b.name === "string" && typeof b.email === "string" && Number.isInteger(b.age) &&
    typeof b.score === "number" && typeof b.active === "boolean" && typeof b.country === "string" &&
    typeof b.joinedAt === "string" && DATE.test(b.joinedAt);
  const response = new Response(JSON.stringify(ok ? { data: { ok: true, name: b.name } } : { error: "invalid" }), {
    status: ok ? 200 : 422,
    headers: { "content-type": "application/json" },
  });
  response.headers.set("x-rohas-trace-id", traceId);
  response.headers.set("access-control-allow-origin", "*");
  response.headers.set("access-control-expose-headers", "x-rohas-trace-id");
  return response;
});
`;

/**
 * The same work by hand as a `deno serve` module, for `deno serve --parallel` with as many isolates
 * as `rohas start` runs edges: the fair ceiling of `rohas start`, which spreads the port over that
 * many processes (the serve row above is one isolate).
 */
const BARE_PARALLEL = BENCH_BY_HAND_MODULE;

/** The row of {@linkcode BARE_APP}. */
const BY_HAND = "bare Deno.serve, the same work as POST /bench by hand";

/** The row of {@linkcode BARE_PARALLEL}. */
const PARALLEL = `bare deno serve --parallel (${autoEdgeCount()} isolates), the same work by hand`;

const USAGE = `Usage: deno run -A bench/http_bench.ts [options]
  --duration <s>        seconds per wrk run (default 5)
  --connections <n>     wrk connections (default 32)
  --threads <n>         wrk threads (default 2)
  --rounds <n>          interleaved rounds; medians are reported (default 3)
  --only <regex>        only the variants whose name matches
  --baseline <checkout> also serve the example with another checkout's \`rohas start\`
  --experiments         also the example served in-process inside Workers sharing one port
  --edges <n,n,...>     also \`rohas start\` with \`[server] workers\` set to each count (telemetry on)
  --edge-v8-flags <f>   also \`rohas start\` whose edges run with these V8 flags (ROHAS_EDGE_V8_FLAGS)`;

/** The example served in-process; `telemetry` is an expression (empty: the default, in memory). */
function inProcess(telemetry = ""): string {
  return `
import { createApp } from "./mod.ts";
import { manifest } from "./examples/hello-ts/src/generated/manifest.ts";
const app = await createApp({ manifest, root: Deno.cwd() + "/examples/hello-ts", cron: false${
    telemetry ? `, telemetry: ${telemetry}` : ""
  } });
app.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) });
`;
}

/**
 * Experiment (`--experiments`): a handler served inside N Workers that share one port
 * (`reusePort`), the design where requests never leave the isolate that runs the handler. `app`
 * serves the bundled example in-process in each Worker; `bare` serves the hello world.
 */
function servedInWorkers(kind: "app" | "bare", workers: number): string {
  const serve = kind === "app"
    ? `const { createApp } = await import(${JSON.stringify(`${repo}/mod.ts`)});
  const { manifest } = await import(${
      JSON.stringify(`${repo}/examples/hello-ts/src/generated/manifest.ts`)
    });
  const app = await createApp({ manifest, root: ${
      JSON.stringify(`${repo}/examples/hello-ts`)
    }, cron: false });
  app.serve({ hostname: "127.0.0.1", port, reusePort: true, onListen: () => self.postMessage("up") });`
    : `Deno.serve({ hostname: "127.0.0.1", port, reusePort: true, onListen: () => self.postMessage("up") },
    () => Response.json({ message: "Hello, world" }));`;
  return `
if (self.name?.startsWith("serve-")) {
  const port = Number(self.name.split("-")[1]);
  ${serve}
} else {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  let up = 0;
  for (let i = 0; i < ${workers}; i++) {
    const worker = new Worker(import.meta.url, { type: "module", name: "serve-" + port + "-" + i });
    worker.onmessage = () => { if (++up === ${workers}) console.log("listening on http://127.0.0.1:" + port); };
  }
}
`;
}

/** Writes a module for `deno run` (a Worker needs a file to start from). */
async function moduleFile(source: string): Promise<string> {
  const file = await Deno.makeTempFile({ prefix: "rohas-http-bench-", suffix: ".ts" });
  await Deno.writeTextFile(file, source);
  return file;
}

/**
 * The telemetry `rohas start` builds from the example's `[telemetry]` section (the recorder over
 * the memory store, with OpenTelemetry spans), so the in-process variant measures the recorder.
 */
const RECORDER = `await (await import("./telemetry/mod.ts")).createTelemetry(
  (await (await import("./project/mod.ts")).loadConfig(Deno.cwd() + "/examples/hello-ts")).config.telemetry,
  { root: Deno.cwd() + "/examples/hello-ts" },
)`;

/** A telemetry that records nothing. */
const NO_TELEMETRY =
  "{ startTrace: (o) => ({ id: o.id ?? crypto.randomUUID(), addStep() {}, end() {} }), log() {}, metric() {}, close: async () => {} }";

/** A copy of the example with its config edited. */
async function exampleCopy(example: string, edit: (config: string) => string): Promise<string> {
  const copy = await Deno.makeTempDir({ prefix: "rohas-http-bench-" });
  await new Deno.Command("cp", { args: ["-r", `${example}/.`, copy] }).output();
  await Deno.remove(`${copy}/.rohas`, { recursive: true }).catch(() => {});
  const config = `${copy}/config/rohas.toml`;
  await Deno.writeTextFile(config, edit(await Deno.readTextFile(config)));
  return copy;
}

/** The example's config with every telemetry signal off. */
function withoutTelemetry(config: string): string {
  return config.replace(
    /\[telemetry\]\n/,
    "[telemetry]\nenable_traces = false\nenable_logs = false\nenable_metrics = false\n",
  );
}

/** The example's config with the default telemetry store, RocksDB (the example keeps memory). */
function withRocksdb(config: string): string {
  const memory = '[telemetry]\ntype = "memory"';
  if (!config.includes(memory)) throw new Error(`the example's config lacks: ${memory}`);
  return config.replace(memory, '[telemetry]\ntype = "rocksdb"');
}

/** The example's config served by `count` edges. */
function withEdges(count: number): (config: string) => string {
  return (config) => config.replace(/\[server\]\n/, `[server]\nworkers = ${count}\n`);
}

/** The example's config served by the main process alone (handlers one Worker hop away). */
function withoutEdges(config: string): string {
  return config.replace(/\[server\]\n/, "[server]\nworkers = 0\n");
}

/** The variant with the default telemetry store. */
const ROCKSDB = "rohas start POST /bench, telemetry on, rocksdb store (the default type)";

/** The variant of `--edge-v8-flags`, before the flags. */
const FLAGGED_PREFIX = "rohas start POST /bench, telemetry on, edges with ";

/** The variant of `--baseline`. */
const BASELINE = "baseline: rohas start POST /bench, telemetry on";

/** Each variant with telemetry next to the same variant without. */
const TELEMETRY_PAIRS = [
  ["rohas start POST /bench, telemetry on", "rohas start POST /bench, telemetry off"],
  [ROCKSDB, "rohas start POST /bench, telemetry off"],
  ["rohas in-process POST /bench, telemetry on", "rohas in-process POST /bench, telemetry off"],
  ["rohas in-process POST /bench, recorder", "rohas in-process POST /bench, telemetry off"],
] as const;

/** The variants whose name matches `only` (all without it). */
function selected(only: string | undefined, variants: Variant[]): Variant[] {
  if (only === undefined) return variants;
  const pattern = new RegExp(only);
  return variants.filter((v) => pattern.test(v.name));
}

interface Server {
  url: string;
  child: Deno.ChildProcess;
}

function start(variant: Variant): Promise<Server> {
  return spawnListening(variant.args, {
    ...(variant.env ? { env: variant.env } : {}),
    ...(variant.announces ? { announces: variant.announces } : {}),
  });
}

async function stop(server: Server): Promise<void> {
  server.child.kill("SIGTERM");
  await server.child.status;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU time (all its threads, user + system) per request, in microseconds; NaN when unknown. */
  cpuUs: number;
}

/** A variant's medians, with its requests/s and CPU time per request of each round (for ratios
 * paired by round). */
interface Summary extends Result {
  perRound: number[];
  cpuPerRound: number[];
}

/**
 * The median and range over rounds of `a / b`, each round's pair measured back to back: steadier
 * than the ratio of medians when the machine's load drifts between rounds.
 */
function pairedRatio(a: Summary, b: Summary): { median: number; min: number; max: number } {
  const ratios = a.perRound.map((rps, i) => rps / b.perRound[i]!);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** Like {@linkcode pairedRatio}, of the server's CPU time per request. */
function pairedCpuRatio(a: Summary, b: Summary): { median: number; min: number; max: number } {
  const ratios = a.cpuPerRound.map((cpu, i) => cpu / b.cpuPerRound[i]!);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** Throughput against the fair ceiling, at least (design: measured targets). */
const TARGET_CEILING = 0.8;
/** CPU per request against the same work by hand, at most. */
const TARGET_CPU = 1.3;
/** CPU per request with telemetry on against off, at most (rocksdb store, the default type). */
const TARGET_TELEMETRY = 1.05;

/**
 * The `target:` lines of the rows that ran: `rohas start` (telemetry on, memory and rocksdb stores)
 * against the fair ceiling and the same work by hand, and what telemetry on the rocksdb store costs.
 */
function printTargets(summaryOf: (name: string) => Summary | undefined): void {
  const [parallel, byHand, off] = [
    summaryOf(PARALLEL),
    summaryOf(BY_HAND),
    summaryOf("rohas start POST /bench, telemetry off"),
  ];
  const rows = [
    { label: "", name: "rohas start POST /bench, telemetry on" },
    { label: ", rocksdb store", name: ROCKSDB },
  ];
  for (const { label, name } of rows) {
    const row = summaryOf(name);
    if (row === undefined) continue;
    if (parallel) {
      const { median } = pairedRatio(row, parallel);
      const what = `rohas start${label} / the fair ceiling >= ${TARGET_CEILING}x req/s`;
      console.log(targetLine(what, median >= TARGET_CEILING, `x${median.toFixed(3)}`));
    }
    if (byHand && Number.isFinite(row.cpuUs)) {
      const { median } = pairedCpuRatio(row, byHand);
      const what = `rohas start${label} CPU per request / the same work by hand <= ${TARGET_CPU}x`;
      console.log(targetLine(what, median <= TARGET_CPU, `x${median.toFixed(3)}`));
    }
  }
  const rocks = summaryOf(ROCKSDB);
  if (rocks && off && Number.isFinite(rocks.cpuUs)) {
    const { median } = pairedCpuRatio(rocks, off);
    const what = `telemetry on the rocksdb store, CPU per request on / off <= ${TARGET_TELEMETRY}x`;
    console.log(targetLine(what, median <= TARGET_TELEMETRY, `x${median.toFixed(3)}`));
  }
}

function ratioText(ratio: { median: number; min: number; max: number }): string {
  return `x${ratio.median.toFixed(3)} (rounds ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;
}

/** Clock ticks per second of `/proc/<pid>/stat` times. */
const CLOCK_TICKS = await clockTicks();

/**
 * The CPU time a process has used, in clock ticks (Linux `/proc`; NaN elsewhere). Per request it
 * is steadier than requests/s on a shared machine: other load slows a server down but hardly
 * changes what one request costs it.
 */
function cpuTicks(pid: number): number {
  const own = procStat(`/proc/${pid}/stat`);
  if (own === null) return NaN;
  // `rohas start` serves from edge processes: its children's time counts too.
  let ticks = own.ticks;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const child = procStat(`/proc/${entry.name}/stat`);
    if (child !== null && child.ppid === pid) ticks += child.ticks;
  }
  return ticks;
}

function ms(text: string): number {
  const m = text.match(/([\d.]+)(us|ms|s)/);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

async function wrk(
  url: string,
  opts: { duration: number; connections: number; threads: number; post?: string; pid?: number },
): Promise<Result> {
  const args = [`-t${opts.threads}`, `-c${opts.connections}`, `-d${opts.duration}s`, "--latency"];
  let script: string | null = null;
  if (opts.post) {
    script = await Deno.makeTempFile({ suffix: ".lua" });
    await Deno.writeTextFile(
      script,
      `wrk.method = "POST"\nwrk.body = '${opts.post}'\nwrk.headers["Content-Type"] = "application/json"\n`,
    );
    args.push("-s", script);
  }
  args.push(url);
  try {
    const before = opts.pid === undefined ? NaN : cpuTicks(opts.pid);
    const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
    const ticks = opts.pid === undefined ? NaN : cpuTicks(opts.pid) - before;
    const text = new TextDecoder().decode(out.stdout);
    const non2xx = Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
    const socketErrors = text.match(/Socket errors: (.*)/)?.[1] ?? "";
    const sockets = [...socketErrors.matchAll(/\d+/g)].reduce((s, m) => s + Number(m[0]), 0);
    const requests = wrkRequests(text);
    return {
      rps: Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0),
      p50: ms(text.match(/^\s+50%\s+(\S+)/m)?.[1] ?? ""),
      p99: ms(text.match(/^\s+99%\s+(\S+)/m)?.[1] ?? ""),
      errors: non2xx + sockets,
      cpuUs: requests > 0 ? (ticks / CLOCK_TICKS) * 1e6 / requests : NaN,
    };
  } finally {
    if (script) await Deno.remove(script);
  }
}

interface Variant {
  name: string;
  args: string[];
  path: string;
  post?: string;
  env?: Record<string, string>;
  /** The stream of its "listening on" line (`deno serve`: stderr). */
  announces?: "stdout" | "stderr";
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Starts every server once, then runs wrk against each in turn, round after round, so a burst of
 * load from elsewhere on the machine hits every variant alike; reports each variant's median. */
async function measureAll(
  variants: Variant[],
  opts: { duration: number; connections: number; threads: number; rounds: number },
): Promise<[string, Summary][]> {
  const servers: Server[] = [];
  try {
    for (const v of variants) servers.push(await start(v));
    const results: Result[][] = variants.map(() => []);
    for (const [i, v] of variants.entries()) {
      const run = { ...opts, duration: 1, ...(v.post ? { post: v.post } : {}) };
      await wrk(servers[i]!.url + v.path, run); // warm-up (JIT, Worker start)
    }
    for (let round = 0; round < opts.rounds; round++) {
      for (const [i, v] of variants.entries()) {
        const run = { ...opts, pid: servers[i]!.child.pid, ...(v.post ? { post: v.post } : {}) };
        results[i]!.push(await wrk(servers[i]!.url + v.path, run));
      }
    }
    return variants.map((v, i) => {
      const rs = results[i]!;
      return [v.name, {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        errors: rs.reduce((sum, r) => sum + r.errors, 0),
        cpuUs: median(rs.map((r) => r.cpuUs)),
        perRound: rs.map((r) => r.rps),
        cpuPerRound: rs.map((r) => r.cpuUs),
      }];
    });
  } finally {
    for (const server of servers) await stop(server);
  }
}

if (import.meta.main) {
  console.log(machineLine());
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      duration: { type: "string", default: "5" },
      connections: { type: "string", default: "32" },
      threads: { type: "string", default: "2" },
      rounds: { type: "string", default: "3" },
      experiments: { type: "boolean", default: false },
      only: { type: "string" },
      baseline: { type: "string" },
      edges: { type: "string" },
      "edge-v8-flags": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const opts = {
    duration: Number(values.duration),
    connections: Number(values.connections),
    threads: Number(values.threads),
    rounds: Number(values.rounds),
  };
  const example = `${repo}/examples/hello-ts`;
  const quiet = await exampleCopy(example, withoutTelemetry);
  const noEdges = await exampleCopy(example, withoutEdges);
  const rocks = await exampleCopy(example, withRocksdb);
  // A copy of its own: two servers of one project directory share its state (and warn of it).
  const hello = await exampleCopy(example, (config) => config);
  const rohas = ["run", "-A", "cli.ts", "start", "--port", "0", example];
  const baseline = values.baseline === undefined ? [] : [{
    name: BASELINE,
    args: [
      "run",
      "-A",
      "--config",
      `${values.baseline}/deno.json`,
      `${values.baseline}/cli.ts`,
      "start",
      "--port",
      "0",
      `${values.baseline}/examples/hello-ts`,
    ],
    path: "/bench",
    post: BODY,
  }];
  const edgeCounts = values.edges === undefined ? [] : values.edges.split(",").map(Number);
  const edgeCopies = await Promise.all(edgeCounts.map((n) => exampleCopy(example, withEdges(n))));
  const edgeRows = edgeCounts.map((n, i) => ({
    name: `rohas start POST /bench, telemetry on, workers = ${n}`,
    args: ["run", "-A", "cli.ts", "start", "--port", "0", edgeCopies[i]!],
    path: "/bench",
    post: BODY,
  }));
  const rohasQuiet = ["run", "-A", "cli.ts", "start", "--port", "0", quiet];
  const rohasNoEdges = ["run", "-A", "cli.ts", "start", "--port", "0", noEdges];
  const rohasRocks = ["run", "-A", "cli.ts", "start", "--port", "0", rocks];
  const experiments = values.experiments
    ? [
      await moduleFile(servedInWorkers("bare", 2)),
      await moduleFile(servedInWorkers("app", 1)),
      await moduleFile(servedInWorkers("app", 2)),
    ]
    : [];
  const net = ["run", "-A", "--unstable-net", "--config", `${repo}/deno.json`];
  const parallelModule = await moduleFile(BARE_PARALLEL);
  let runs: [string, Summary][];
  try {
    runs = await measureAll(
      selected(values.only, [
        { name: "bare Deno.serve", args: ["eval", BARE], path: "/" },
        { name: "Hono on Deno", args: ["eval", HONO], path: "/" },
        {
          name: BY_HAND,
          args: ["eval", BARE_APP],
          path: "/bench",
          post: BODY,
        },
        {
          name: PARALLEL,
          args: [
            "serve",
            "--parallel",
            "--host",
            "127.0.0.1",
            "--port",
            String(freePort()),
            parallelModule,
          ],
          env: { DENO_JOBS: String(autoEdgeCount()) },
          announces: "stderr",
          path: "/bench",
          post: BODY,
        },
        {
          name: "Hono, the same work as POST /bench",
          args: ["eval", HONO_APP],
          path: "/bench",
          post: BODY,
        },
        { name: "rohas start POST /bench, telemetry on", args: rohas, path: "/bench", post: BODY },
        ...baseline,
        ...edgeRows,
        ...(values["edge-v8-flags"] === undefined ? [] : [{
          name: `${FLAGGED_PREFIX}${values["edge-v8-flags"]}`,
          args: rohas,
          env: { ROHAS_EDGE_V8_FLAGS: values["edge-v8-flags"] },
          path: "/bench",
          post: BODY,
        }]),
        { name: ROCKSDB, args: rohasRocks, path: "/bench", post: BODY },
        {
          name: "rohas start POST /bench, telemetry off",
          args: rohasQuiet,
          path: "/bench",
          post: BODY,
        },
        {
          name: "rohas start GET /hello",
          args: ["run", "-A", "cli.ts", "start", "--port", "0", hello],
          path: "/hello",
        },
        {
          name: "rohas start, workers = 0 (Worker hop), POST /bench",
          args: rohasNoEdges,
          path: "/bench",
          post: BODY,
        },
        {
          name: "rohas in-process POST /bench, telemetry on",
          args: ["eval", inProcess()],
          path: "/bench",
          post: BODY,
        },
        {
          name: "rohas in-process POST /bench, recorder",
          args: ["eval", inProcess(RECORDER)],
          path: "/bench",
          post: BODY,
        },
        {
          name: "rohas in-process POST /bench, telemetry off",
          args: ["eval", inProcess(NO_TELEMETRY)],
          path: "/bench",
          post: BODY,
        },
        ...(experiments.length === 0 ? [] : [
          {
            name: "experiment: bare in 2 Workers (reusePort)",
            args: [...net, experiments[0]!],
            path: "/",
          },
          {
            name: "experiment: in-process app in 1 Worker",
            args: [...net, experiments[1]!],
            path: "/bench",
            post: BODY,
          },
          {
            name: "experiment: in-process app in 2 Workers",
            args: [...net, experiments[2]!],
            path: "/bench",
            post: BODY,
          },
        ]),
      ]),
      opts,
    );
  } finally {
    await Deno.remove(quiet, { recursive: true });
    await Deno.remove(noEdges, { recursive: true });
    await Deno.remove(rocks, { recursive: true });
    await Deno.remove(hello, { recursive: true });
    for (const file of experiments) await Deno.remove(file);
    await Deno.remove(parallelModule);
    for (const copy of edgeCopies) await Deno.remove(copy, { recursive: true });
  }
  const rpsOf = (name: string) => runs.find(([n]) => n === name)?.[1].rps;
  const bare = rpsOf("bare Deno.serve");
  const hono = rpsOf("Hono on Deno");
  const bareCpu = runs.find(([n]) => n === "bare Deno.serve")?.[1].cpuUs;
  const rows = runs.map(([name, r]) =>
    `${name.padEnd(66)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${
      r.p50.toFixed(2).padStart(6)
    } ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  errors ${r.errors}` +
    (bare ? `  x${(r.rps / bare).toFixed(2)} bare` : "") +
    (hono ? `  x${(r.rps / hono).toFixed(2)} hono` : "") +
    (Number.isFinite(r.cpuUs) ? `  cpu ${r.cpuUs.toFixed(1)} us/req` : "") +
    (bareCpu && Number.isFinite(r.cpuUs) ? ` (bare/this x${(bareCpu / r.cpuUs).toFixed(2)})` : "")
  );
  console.log(
    `wrk -t${opts.threads} -c${opts.connections} -d${opts.duration}s --latency; ` +
      `median of ${opts.rounds} interleaved rounds`,
  );
  console.log(rows.join("\n"));
  const summaryOf = (name: string) => runs.find(([n]) => n === name)?.[1];
  const bareRuns = summaryOf("bare Deno.serve");
  if (bareRuns) {
    for (const [name, summary] of runs) {
      if (!name.startsWith("rohas start POST") && !name.startsWith("baseline:")) continue;
      console.log(
        `${name} / bare Deno.serve, paired by round: ${ratioText(pairedRatio(summary, bareRuns))}`,
      );
    }
  }
  // The targets of the fair ceiling: throughput against the same work in as many isolates as
  // edges, CPU per request against the same work in one `Deno.serve`.
  const [parallel, byHand] = [summaryOf(PARALLEL), summaryOf(BY_HAND)];
  for (const [name, summary] of runs) {
    if (!name.startsWith("rohas start") && !name.startsWith("baseline:")) continue;
    if (parallel) {
      console.log(
        `${name} / ${PARALLEL}, paired by round: ${ratioText(pairedRatio(summary, parallel))}`,
      );
    }
    if (byHand && Number.isFinite(summary.cpuUs)) {
      console.log(`  cpu per request / ${BY_HAND}: ${ratioText(pairedCpuRatio(summary, byHand))}`);
    }
  }
  printTargets(summaryOf);
  // `--edge-v8-flags`: the flagged edges against the same app without the flags.
  const flagged = runs.find(([name]) => name.startsWith(FLAGGED_PREFIX));
  const plain = summaryOf("rohas start POST /bench, telemetry on");
  if (flagged && plain) {
    console.log(
      `${flagged[0]} / without, paired by round: ${ratioText(pairedRatio(flagged[1], plain))}`,
    );
    console.log(`  cpu per request: ${ratioText(pairedCpuRatio(flagged[1], plain))}`);
  }
  // `--edges`: each count against the first, to choose the default by.
  const edgeRuns = runs.filter(([name]) => name.includes(", workers = "));
  for (const [name, summary] of edgeRuns.slice(1)) {
    const [first, base] = edgeRuns[0]!;
    console.log(`${name} / ${first}, paired by round: ${ratioText(pairedRatio(summary, base))}`);
    if (Number.isFinite(summary.cpuUs)) {
      console.log(`  cpu per request: ${ratioText(pairedCpuRatio(summary, base))}`);
    }
  }
  for (const [on, off] of TELEMETRY_PAIRS) {
    const [a, b] = [summaryOf(on), summaryOf(off)];
    if (!a || !b) continue;
    console.log(`telemetry cost: ${on} / off = ${ratioText(pairedRatio(a, b))}`);
    if (Number.isFinite(a.cpuUs)) {
      console.log(`  cpu per request, on / off = ${ratioText(pairedCpuRatio(a, b))}`);
    }
  }
  // With a baseline checkout of the same code, this is the benchmark's own noise (A/A): a change
  // smaller than its range is not measurable here.
  const [base, head] = [summaryOf(BASELINE), summaryOf("rohas start POST /bench, telemetry on")];
  if (base && head) {
    console.log(`${BASELINE} / this checkout = ${ratioText(pairedRatio(base, head))}`);
    if (Number.isFinite(base.cpuUs)) {
      console.log(`  cpu per request, baseline / this = ${ratioText(pairedCpuRatio(base, head))}`);
    }
  }
}
