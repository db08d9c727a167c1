// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * The Python runtime benchmark, measured side by side in one run, with the original example's
 * `handle_health` (examples/hello-world: a generated pydantic request, state and response):
 * 1. the raw cost of one Deno -> Python -> Deno call through the Python runtime (calls/s and the CPU
 *    of this process plus the host process per call), one at a time and with many in flight;
 * 2. `GET /health` served by `rohas start` next to the same function under uvicorn + FastAPI (one
 *    worker), both measured with `wrk -t2 -c<connections>` in alternating rounds (so a burst of load
 *    from elsewhere hits both alike), with requests/s, latency and CPU per request of each server's
 *    process tree, the ratio per round and its median. Each round measures the runtime calls with
 *    many in flight again, so that the ratio of HTTP to runtime calls pairs measurements of one
 *    round.
 *
 *   deno run -A bench/python_bench.ts [--duration 5] [--rounds 3] [--connections 32] [--skip-http]
 *     [--baseline <dir>]   also run another checkout's Python runtime (its runtime calls in
 *                          alternating rounds) and serve with its cli.ts in the HTTP rounds (an A/B)
 *
 * Needs `wrk` and `pip install pydantic fastapi uvicorn` for the `python3` on PATH.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import type { HandlerRef, Invocation } from "../engine/runtime/mod.ts";
import { createPythonRuntime, type PythonRuntime } from "../engine/runtime/python/mod.ts";
import { machineLine } from "./_machine.ts";
import { targetLine } from "./_targets.ts";
import { clockTicks, procStat, REPO, wrkRequests } from "./_project.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    baseline: { type: "string" },
    "skip-http": { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.duration);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const CLI = join(REPO, "cli.ts");
/** rohas against uvicorn + FastAPI on the same handler, at least (design: measured targets). */
const TARGET_UVICORN = 3;
/** rohas's HTTP requests/s against the runtime's own call rate, at least. */
const TARGET_HTTP_OF_CALLS = 0.5;
const BASELINE = values.baseline === undefined ? null : join(values.baseline, "cli.ts");
const TICKS = await clockTicks();

/** FastAPI serving the example's own `handle_health` with its generated request and state. */
const FASTAPI_APP = `import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))

from fastapi import FastAPI

from generated.api.health import HealthRequest, HealthResponse
from generated.state import State
from handlers.api.health import handle_health

app = FastAPI()

@app.get("/health", response_model=HealthResponse)
async def health():
    return await handle_health(HealthRequest(), State(handler_name="Health"))
`;
import { freePort } from "../testing/mod.ts";

/** A copy of examples/hello-world with its generated code and the FastAPI app beside it. */
async function prepare(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "rohas-python-bench-" });
  const copy = await new Deno.Command("cp", {
    args: ["-r", `${REPO}/examples/hello-world/.`, root],
  }).output();
  if (!copy.success) throw new Error("Cannot copy examples/hello-world");
  const codegen = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "codegen"],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!codegen.success) throw new Error(new TextDecoder().decode(codegen.stderr));
  await Deno.writeTextFile(`${root}/fastapi_app.py`, FASTAPI_APP);
  return root;
}

interface Stats {
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU of the measured processes per call or request, in µs. */
  cpuUs: number;
}

/** CPU ticks of a process and every descendant of it. */
function treeTicks(pid: number): number {
  let total = procStat(`/proc/${pid}/stat`)?.ticks ?? 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(entry.name) && procStat(`/proc/${entry.name}/stat`)?.ppid === pid) {
      total += treeTicks(Number(entry.name));
    }
  }
  return total;
}

/** Runs `once` from `concurrency` loops for `seconds`, recording each latency. */
async function drive(
  once: () => Promise<void>,
  concurrency: number,
  seconds: number,
): Promise<Stats> {
  const latencies: number[] = [];
  const before = treeTicks(Deno.pid);
  const started = performance.now();
  const end = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await once();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = performance.now() - started;
  const ticks = treeTicks(Deno.pid) - before;
  const sorted = latencies.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    perSecond: sorted.length / (elapsed / 1000),
    p50: at(0.5),
    p99: at(0.99),
    cpuUs: ticks / TICKS * 1e6 / Math.max(1, sorted.length),
  };
}

/** One call of `handle_health` through `runtime`; it throws when the call fails. */
function callOnce(runtime: Pick<PythonRuntime, "invoke">, root: string): () => Promise<void> {
  const handler: HandlerRef = {
    kind: "api",
    name: "Health",
    owner: "Health",
    language: "python",
    file: `${root}/src/handlers/api/health.py`,
    exports: ["handle_health"],
    profile: "default",
  };
  const invocation: Invocation = {
    handler,
    input: { kind: "api", request: { queryParams: {}, headers: {} } },
    traceId: "bench",
    timeoutMs: 30_000,
  };
  return async () => {
    const result = await runtime.invoke(invocation);
    if (!result.ok) throw new Error(result.error.message);
  };
}

/**
 * Measures the runtime calls one at a time and with many in flight, and returns the measurement
 * with many in flight, which the HTTP rounds repeat so that its ratio pairs with each round.
 */
async function rawCalls(runtime: PythonRuntime, root: string): Promise<() => Promise<Stats>> {
  const once = callOnce(runtime, root);
  await drive(once, CONNECTIONS, 1);
  const sequential = await drive(once, 1, SECONDS);
  const parallel = await drive(once, CONNECTIONS, SECONDS);
  console.log(
    "Deno -> Python -> Deno through the Python runtime (handle_health; CPU: server + host)",
  );
  console.log(row("one at a time", sequential, "calls/s"));
  console.log(row(`${CONNECTIONS} in flight`, parallel, "calls/s"));
  return () => drive(once, CONNECTIONS, SECONDS);
}

function row(label: string, s: Stats, unit: string): string {
  const rate = `${s.perSecond.toFixed(0)} ${unit}`.padStart(15);
  return `  ${label.padEnd(30)} ${rate}  p50 ${s.p50.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms` +
    `  cpu ${s.cpuUs.toFixed(1)} µs`;
}

async function waitFor(url: string, child: Deno.ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

interface Served {
  label: string;
  url: string;
  child: Deno.ChildProcess;
}

function serve(label: string, port: number, command: string, args: string[]): Served {
  const child = new Deno.Command(command, { args, stdout: "null", stderr: "inherit" }).spawn();
  return { label, url: `http://127.0.0.1:${port}/health`, child };
}

function ms(text: string): number {
  const m = text.match(/([\d.]+)(us|ms|s)/);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

async function wrk(server: Served, seconds: number): Promise<Stats> {
  const args = ["-t2", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", server.url];
  const before = treeTicks(server.child.pid);
  const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
  const ticks = treeTicks(server.child.pid) - before;
  const text = new TextDecoder().decode(out.stdout);
  const errors = Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0) +
    [...(text.match(/Socket errors: (.*)/)?.[1] ?? "").matchAll(/\d+/g)]
      .reduce((s, m) => s + Number(m[0]), 0);
  if (errors > 0) throw new Error(`${server.label}: ${errors} errors\n${text}`);
  const requests = wrkRequests(text);
  return {
    perSecond: Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0),
    p50: ms(text.match(/^\s+50%\s+(\S+)/m)?.[1] ?? ""),
    p99: ms(text.match(/^\s+99%\s+(\S+)/m)?.[1] ?? ""),
    cpuUs: ticks / TICKS * 1e6 / Math.max(1, requests),
  };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianStats(all: Stats[]): Stats {
  return {
    perSecond: median(all.map((s) => s.perSecond)),
    p50: median(all.map((s) => s.p50)),
    p99: median(all.map((s) => s.p99)),
    cpuUs: median(all.map((s) => s.cpuUs)),
  };
}

async function startServers(root: string): Promise<Served[]> {
  const rohasPort = freePort();
  const uvicornPort = freePort();
  const rohasArgs = ["run", "-A", CLI, "start", "--port", String(rohasPort), root];
  const rohas = serve("rohas start", rohasPort, Deno.execPath(), rohasArgs);
  const uvicorn = serve("uvicorn + FastAPI (1 worker)", uvicornPort, "python3", [
    ...["-m", "uvicorn", "--app-dir", root, "fastapi_app:app", "--host", "127.0.0.1"],
    ...["--port", String(uvicornPort), "--workers", "1", "--log-level", "warning"],
    "--no-access-log",
  ]);
  const servers = [rohas, uvicorn];
  if (BASELINE !== null) {
    const port = freePort();
    // A copy of its own: two instances of one project share its state directory.
    const copy = `${root}-baseline`;
    await new Deno.Command("cp", { args: ["-r", root, copy] }).output();
    const args = ["run", "-A", BASELINE, "start", "--port", String(port), copy];
    servers.push(serve("rohas start (baseline)", port, Deno.execPath(), args));
  }
  await Promise.all(servers.map((s) => waitFor(s.url, s.child)));
  return servers;
}

async function http(root: string, inFlight: () => Promise<Stats>): Promise<void> {
  const servers = await startServers(root);
  try {
    const results: Stats[][] = servers.map(() => []);
    const calls: Stats[] = [];
    for (const server of servers) await wrk(server, 2); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      calls.push(await inFlight());
      for (const [i, server] of servers.entries()) results[i]!.push(await wrk(server, SECONDS));
    }
    const [rohas, uvicorn, baseline] = results as [Stats[], Stats[], Stats[] | undefined];
    console.log(
      `GET /health (handle_health), wrk -t2 -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} rounds ` +
        `alternating, medians; load ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    );
    console.log(row(`runtime, ${CONNECTIONS} calls in flight`, medianStats(calls), "calls/s"));
    for (const [i, server] of servers.entries()) {
      console.log(row(server.label, medianStats(results[i]!), "req/s"));
    }
    const ratios = rohas.map((r, i) => r.perSecond / uvicorn[i]!.perSecond);
    const cpu = rohas.map((r, i) => uvicorn[i]!.cpuUs / r.cpuUs);
    const http = rohas.map((r, i) => r.perSecond / calls[i]!.perSecond);
    console.log(
      `  ratio rohas / uvicorn: median x${median(ratios).toFixed(2)} (rounds ${list(ratios)})`,
    );
    console.log(
      `  cpu per request uvicorn / rohas: median x${median(cpu).toFixed(2)} (rounds ${list(cpu)})`,
    );
    console.log(
      `  ratio rohas HTTP / runtime calls (${CONNECTIONS} in flight): median x${
        median(http).toFixed(2)
      }` +
        ` (rounds ${list(http)})`,
    );
    const [x, h] = [median(ratios), median(http)];
    console.log(
      targetLine(
        `rohas / uvicorn + FastAPI >= ${TARGET_UVICORN}x req/s`,
        x >= TARGET_UVICORN,
        `x${x.toFixed(2)}`,
      ),
    );
    console.log(
      targetLine(
        `rohas HTTP / runtime calls >= ${TARGET_HTTP_OF_CALLS}x`,
        h >= TARGET_HTTP_OF_CALLS,
        `x${h.toFixed(2)}`,
      ),
    );
    if (baseline !== undefined) {
      const ab = rohas.map((r, i) => r.perSecond / baseline[i]!.perSecond);
      const abCpu = rohas.map((r, i) => r.cpuUs / baseline[i]!.cpuUs);
      console.log(
        `  A/B rohas / baseline req/s: median x${median(ab).toFixed(2)} (rounds ${list(ab)})`,
      );
      console.log(
        `  A/B rohas / baseline cpu per request: median x${median(abCpu).toFixed(2)} (rounds ${
          list(abCpu)
        })`,
      );
    }
    console.log(`  rohas req/s by round: ${rohas.map((r) => r.perSecond.toFixed(0)).join(", ")}`);
    console.log(
      `  uvicorn req/s by round: ${uvicorn.map((r) => r.perSecond.toFixed(0)).join(", ")}`,
    );
  } finally {
    for (const server of servers) {
      server.child.kill("SIGTERM");
      await server.child.status;
    }
  }
}

/**
 * The runtime calls of this checkout and of the baseline's, in alternating rounds in this process
 * (each with a host of its own): their CPU per call (this process and its hosts; the idle one adds
 * nothing) and calls/s, paired by round.
 */
async function callsAgainstBaseline(runtime: PythonRuntime, root: string): Promise<void> {
  const url = new URL(`file://${join(values.baseline!, "engine/runtime/python/mod.ts")}`);
  const baselineModule = await import(url.href) as {
    createPythonRuntime: typeof createPythonRuntime;
  };
  await using baseline = await baselineModule.createPythonRuntime({ root });
  const sides = [callOnce(runtime, root), callOnce(baseline, root)];
  for (const once of sides) await drive(once, CONNECTIONS, 1);
  const stats: Stats[][] = [[], []];
  for (let round = 0; round < ROUNDS * 2; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) stats[i]!.push(await drive(sides[i]!, CONNECTIONS, SECONDS / 2));
  }
  const [mine, theirs] = stats as [Stats[], Stats[]];
  const rate = mine.map((s, i) => s.perSecond / theirs[i]!.perSecond);
  const cpu = mine.map((s, i) => s.cpuUs / theirs[i]!.cpuUs);
  console.log(
    `Runtime calls against the baseline, ${CONNECTIONS} in flight, ${ROUNDS * 2} rounds ` +
      `alternating, medians; load ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log(row("runtime calls", medianStats(mine), "calls/s"));
  console.log(row("runtime calls (baseline)", medianStats(theirs), "calls/s"));
  console.log(`  A/B calls/s: median x${median(rate).toFixed(2)} (rounds ${list(rate)})`);
  console.log(`  A/B cpu per call: median x${median(cpu).toFixed(2)} (rounds ${list(cpu)})`);
}

function list(values: number[]): string {
  return values.map((v) => `x${v.toFixed(2)}`).join(", ");
}

if (import.meta.main) {
  console.log(machineLine());
  const root = await prepare();
  try {
    await using runtime = await createPythonRuntime({ root });
    const inFlight = await rawCalls(runtime, root);
    if (values.baseline !== undefined) await callsAgainstBaseline(runtime, root);
    if (!values["skip-http"]) await http(root, inFlight);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(`${root}-baseline`, { recursive: true }).catch(() => {});
  }
}
