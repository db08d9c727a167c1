// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * The Python runtime benchmark, measured side by side in one run:
 * 1. the raw cost of one Deno -> Python -> Deno call through the Python runtime (calls/s, one at a
 *    time and with many in flight);
 * 2. requests/s and latency of a Python API handler returning a small dict through the whole Rohas
 *    pipeline (`rohas start`), next to the same handler under uvicorn + FastAPI (single worker).
 *
 *   deno run -A bench/python_bench.ts [--ms 5000] [--concurrency 32] [--skip-http]
 *
 * Needs `pip install pydantic fastapi uvicorn` for the `python3` on PATH.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { HandlerRef, Invocation } from "../engine/runtime/mod.ts";
import { createPythonRuntime } from "../engine/runtime/python/mod.ts";
import { machineLine } from "./_machine.ts";

const { values } = parseArgs({
  options: {
    ms: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "32" },
    "skip-http": { type: "boolean", default: false },
  },
});
const DURATION_MS = Number(values.ms);
const CONCURRENCY = Number(values.concurrency);
const CLI = new URL("../cli.ts", import.meta.url).pathname;

const HANDLER = `async def handle_hello(req, state):
    return {"data": {"message": "Hello, world!", "ok": True}}
`;
const FASTAPI_APP = `from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello():
    return {"data": {"message": "Hello, world!", "ok": True}}
`;
const SCHEMA = `api Hello {
  method: GET
  path: "/hello"
  response: Json
}
`;
const CONFIG = `[project]
name = "python-bench"
version = "0.1.0"
language = "python"

[server]
host = "127.0.0.1"
port = 4500

[adapter]
type = "memory"

[telemetry]
type = "memory"
`;

async function writeProject(root: string): Promise<void> {
  await Deno.mkdir(`${root}/schema`, { recursive: true });
  await Deno.mkdir(`${root}/config`, { recursive: true });
  await Deno.mkdir(`${root}/src/handlers/api`, { recursive: true });
  await Deno.writeTextFile(`${root}/schema/api.ro`, SCHEMA);
  await Deno.writeTextFile(`${root}/config/rohas.toml`, CONFIG);
  await Deno.writeTextFile(`${root}/src/handlers/api/hello.py`, HANDLER);
  await Deno.writeTextFile(`${root}/fastapi_app.py`, FASTAPI_APP);
}

interface Stats {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function stats(latencies: number[], elapsedMs: number): Stats {
  const sorted = latencies.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    count: sorted.length,
    perSecond: sorted.length / (elapsedMs / 1000),
    p50: at(0.5),
    p99: at(0.99),
  };
}

/** Runs `once` from `concurrency` loops for `ms`, recording each latency. */
async function drive(once: () => Promise<void>, concurrency: number, ms: number): Promise<Stats> {
  const latencies: number[] = [];
  const started = performance.now();
  const end = started + ms;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await once();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return stats(latencies, performance.now() - started);
}

async function rawCalls(root: string): Promise<void> {
  await using runtime = await createPythonRuntime({ root });
  const handler: HandlerRef = {
    kind: "api",
    name: "Hello",
    owner: "Hello",
    language: "python",
    file: `${root}/src/handlers/api/hello.py`,
    exports: ["handle_hello"],
    profile: "default",
  };
  const invocation: Invocation = {
    handler,
    input: { kind: "api", request: { queryParams: {}, headers: {} } },
    traceId: "bench",
    timeoutMs: 30_000,
  };
  const once = async () => {
    const result = await runtime.invoke(invocation);
    if (!result.ok) throw new Error(result.error.message);
  };
  await drive(once, 1, 500);
  const sequential = await drive(once, 1, DURATION_MS);
  const parallel = await drive(once, CONCURRENCY, DURATION_MS);
  console.log("Deno -> Python -> Deno through the Python runtime (async handler, small dict)");
  console.log(row("one at a time", sequential, "calls/s"));
  console.log(row(`${CONCURRENCY} in flight`, parallel, "calls/s"));
}

function row(label: string, s: Stats, unit: string): string {
  const rate = `${s.perSecond.toFixed(0)} ${unit}`.padStart(16);
  return `  ${label.padEnd(28)} ${rate}  p50 ${s.p50.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms` +
    `  (${(1000 / s.perSecond * 1000).toFixed(1)} µs/call wall)`;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
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

async function serveAndMeasure(
  label: string,
  command: string,
  args: string[],
  options: { cwd: string; port: number },
): Promise<Stats> {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const url = `http://127.0.0.1:${options.port}/hello`;
  try {
    await waitFor(url, child);
    const once = async () => {
      const response = await fetch(url);
      if (response.status !== 200) throw new Error(`${label}: status ${response.status}`);
      await response.arrayBuffer();
    };
    await drive(once, CONCURRENCY, 1000);
    return await drive(once, CONCURRENCY, DURATION_MS);
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

async function http(root: string): Promise<void> {
  const rohasPort = freePort();
  const rohas = await serveAndMeasure(
    "rohas",
    Deno.execPath(),
    ["run", "-A", CLI, "start", "--port", String(rohasPort), root],
    { cwd: root, port: rohasPort },
  );
  const uvicornPort = freePort();
  const uvicorn = await serveAndMeasure("uvicorn", "python3", [
    "-m",
    "uvicorn",
    "fastapi_app:app",
    "--host",
    "127.0.0.1",
    "--port",
    String(uvicornPort),
    "--workers",
    "1",
    "--log-level",
    "warning",
    "--no-access-log",
  ], { cwd: root, port: uvicornPort });
  console.log(`GET /hello, Python handler returning a small dict, ${CONCURRENCY} connections`);
  console.log(row("rohas start (Python via FFI)", rohas, "req/s"));
  console.log(row("uvicorn + FastAPI (1 worker)", uvicorn, "req/s"));
  console.log(`  ratio rohas / uvicorn: ${(rohas.perSecond / uvicorn.perSecond).toFixed(2)}x`);
}

if (import.meta.main) {
  console.log(machineLine());
  const root = await Deno.makeTempDir({ prefix: "rohas-python-bench-" });
  try {
    await writeProject(root);
    await rawCalls(root);
    if (!values["skip-http"]) await http(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
