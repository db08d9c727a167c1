// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * The handler-runtime boundary benchmark: invocations per second of one small API handler through
 * each runtime variant, as ratios of a direct in-process call, measured side by side in one run.
 *
 *   deno run -A bench/runtime_bench.ts [--ms 1000] [--concurrency 64] [--rounds 3] [--no-http]
 *
 * With `wrk` on the PATH (Debian `wrk`) it also serves the handler over `Deno.serve` on loopback,
 * bare and through each runtime, and prints requests/s as ratios of the bare server.
 *
 * The machines are shared and noisy, so every variant runs `rounds` times, interleaved, and the
 * median is reported; ratios are of the in-process runtime (the same work without a Worker hop).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import {
  createInProcessRuntime,
  createWorkerRuntime,
  type HandlerManifest,
  type HandlerRef,
  type HandlerRuntime,
  type Invocation,
} from "../engine/runtime/mod.ts";
import type { PermissionsSection } from "../project/mod.ts";
import { createMailboxBuffer, MailboxWriter, readMailbox } from "./_mailbox.ts";

const { values } = parseArgs({
  allowNegative: true,
  options: {
    ms: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    "work-us": { type: "string", default: "10" },
    http: { type: "boolean", default: true },
  },
});
const ROUNDS = Number(values.rounds);
/** Engine-thread work per call in the simulated-pipeline rows (routing, validation, HTTP). */
const WORK_US = Number(values["work-us"]);
const DURATION_MS = Number(values.ms);
const CONCURRENCY = Number(values.concurrency);

const ROOT = fileURLToPath(new URL("../engine/runtime/testdata/project", import.meta.url));
const FILE = "src/handlers/api/hello.ts";
const handler: HandlerRef = {
  kind: "api",
  name: "Hello",
  owner: "Hello",
  language: "typescript",
  file: join(ROOT, FILE),
  exports: ["handleHello", "default"],
  profile: "default",
};
const JSON_HEADERS = { "content-type": "application/json" };
const body7 = {
  name: "Ada Lovelace",
  email: "ada@example.com",
  age: 36,
  active: true,
  tags: ["math", "engines"],
  createdAt: "1815-12-10T00:00:00Z",
  address: { street: "St James's Square", city: "London" },
};
const invocation: Invocation = {
  handler,
  input: { kind: "api", request: { id: "42", body: body7, queryParams: {}, headers: {} } },
  traceId: "0af7651916cd43dd8448eb211c80319c",
  timeoutMs: 30_000,
};

/** Runs `once` from `CONCURRENCY` loops for the duration (after a warm-up); returns calls/s. */
async function measure(once: () => Promise<unknown>): Promise<number> {
  const loop = async (until: number) => {
    let count = 0;
    while (performance.now() < until) {
      await once();
      count++;
    }
    return count;
  };
  const run = async (ms: number) => {
    const until = performance.now() + ms;
    const counts = await Promise.all(Array.from({ length: CONCURRENCY }, () => loop(until)));
    return counts.reduce((sum, count) => sum + count, 0);
  };
  await run(Math.min(500, DURATION_MS / 4));
  const started = performance.now();
  const total = await run(DURATION_MS);
  return total / ((performance.now() - started) / 1000);
}

/** Busy-waits `us` microseconds: stands in for the engine's own work around a call. */
function spin(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until) { /* engine work */ }
}

async function measureRuntime(runtime: HandlerRuntime, workUs = 0): Promise<number> {
  try {
    return await measure(async () => {
      if (workUs > 0) spin(workUs);
      const result = await runtime.invoke(invocation);
      if (!result.ok) throw new Error(`Benchmark call failed: ${result.error.message}`);
    });
  } finally {
    await runtime.close();
  }
}

/** A bare Worker that echoes, to price the transport alone (mode: see `_echo_worker.ts`). */
async function measureTransport(mode: "clone" | "batch" | "json"): Promise<number> {
  const worker = new Worker(new URL("./_echo_worker.ts", import.meta.url), { type: "module" });
  const waiting = new Map<number, () => void>();
  let nextId = 0;
  let queued: unknown[] = [];
  worker.onmessage = (event: MessageEvent<{ mode: string; data: unknown }>) => {
    const results = mode === "clone"
      ? [event.data.data as { id: number }]
      : mode === "batch"
      ? event.data.data as { id: number }[]
      : (event.data.data as string[]).map((text) => JSON.parse(text) as { id: number });
    for (const { id } of results) {
      waiting.get(id)?.();
      waiting.delete(id);
    }
  };
  const flush = () => {
    const data = queued;
    queued = [];
    worker.postMessage({ mode, data });
  };
  const input = invocation.input;
  try {
    return await measure(() =>
      new Promise<void>((resolve) => {
        const id = ++nextId;
        waiting.set(id, resolve);
        if (mode === "clone") return worker.postMessage({ mode, data: { id, input } });
        const request = mode === "json" ? JSON.stringify({ id, input }) : { id, input };
        if (queued.push(request) === 1) queueMicrotask(flush);
      })
    );
  } finally {
    worker.terminate();
  }
}

/** The same echo through a shared-memory mailbox woken by `Atomics.waitAsync`. */
async function measureMailbox(): Promise<number> {
  const worker = new Worker(new URL("./_echo_worker.ts", import.meta.url), { type: "module" });
  const toWorker = createMailboxBuffer();
  const toEngine = createMailboxBuffer();
  worker.postMessage({ mode: "mailbox", data: { toWorker, toEngine } });
  const writer = new MailboxWriter(toWorker);
  const waiting = new Map<number, () => void>();
  const reader = readMailbox(toEngine, (results) => {
    for (const { id } of results as { id: number }[]) {
      waiting.get(id)?.();
      waiting.delete(id);
    }
  });
  let nextId = 0;
  const input = invocation.input;
  try {
    return await measure(() =>
      new Promise<void>((resolve) => {
        const id = ++nextId;
        waiting.set(id, resolve);
        writer.send(JSON.stringify({ id, input }));
      })
    );
  } finally {
    reader.stop();
    worker.terminate();
  }
}

async function main(): Promise<void> {
  const manifest = {
    root: `${pathToFileURL(ROOT).href}/`,
    modules: { [FILE]: await import(pathToFileURL(join(ROOT, FILE)).href) },
  };
  const permissions = {
    defaults: {
      net: true,
      read: ["."],
      write: false,
      env: false,
      run: false,
      ffi: false,
      sys: false,
      import: true,
    },
    handlers: {},
  };
  const { handleHello } = manifest.modules[FILE] as {
    handleHello: (...args: unknown[]) => unknown;
  };
  const request = (invocation.input as { request: unknown }).request;
  const variants: Array<[string, () => Promise<number>]> = [
    [
      "direct function call (no runtime)",
      () => measure(async () => JSON.stringify(await handleHello(request, { traceId: "t" }))),
    ],
    ["in-process runtime", () => measureRuntime(createInProcessRuntime({ manifest }))],
    [
      "WorkerRuntime pool 1 (batched)",
      () => measureRuntime(createWorkerRuntime({ root: ROOT, permissions, poolSize: 1 })),
    ],
    [
      "WorkerRuntime pool 2 (batched)",
      () => measureRuntime(createWorkerRuntime({ root: ROOT, permissions, poolSize: 2 })),
    ],
    [
      `in-process runtime + ${WORK_US} us engine work per call`,
      () => measureRuntime(createInProcessRuntime({ manifest }), WORK_US),
    ],
    [
      `WorkerRuntime pool 1 + ${WORK_US} us engine work per call`,
      () => measureRuntime(createWorkerRuntime({ root: ROOT, permissions, poolSize: 1 }), WORK_US),
    ],
    ["transport only: one postMessage per call", () => measureTransport("clone")],
    ["transport only: batched per turn, cloned objects", () => measureTransport("batch")],
    ["transport only: batched per turn, JSON strings", () => measureTransport("json")],
    ["transport only: shared-memory mailbox, JSON", () => measureMailbox()],
  ];
  const medians = await medianOfRounds(variants);
  console.log(
    `runtime boundary: median of ${ROUNDS} rounds of ${DURATION_MS} ms, ${CONCURRENCY} calls in flight`,
  );
  console.log(`ratios are of the in-process runtime`);
  printRows(variants, medians, medians[1]!);
  const simulated = (medians[5]! / medians[4]!).toFixed(3);
  console.log(
    `simulated pipeline (${WORK_US} us engine work): Worker / in-process = ${simulated}x`,
  );
  const reloadMs = await reloadLatency(permissions);
  console.log(`reload: file write to new code answering, median of 15: ${reloadMs.toFixed(2)} ms`);
  if (values.http && await hasWrk()) await httpTable(manifest, permissions);
}

/** Requests/s of `handler` behind `Deno.serve` on 127.0.0.1, driven by `wrk` (1 thread, 32 connections). */
async function measureHttp(handler: () => Response | Promise<Response>): Promise<number> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  try {
    const seconds = Math.max(1, Math.round(DURATION_MS / 1000));
    const url = `http://127.0.0.1:${server.addr.port}/`;
    const wrk = new Deno.Command("wrk", { args: ["-t1", "-c32", `-d${seconds}s`, url] });
    const { stdout } = await wrk.output();
    const match = /Requests\/sec:\s+([\d.]+)/.exec(new TextDecoder().decode(stdout));
    if (match === null) throw new Error("Cannot read wrk's output");
    return Number(match[1]);
  } finally {
    await server.shutdown();
  }
}

async function hasWrk(): Promise<boolean> {
  try {
    await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

/** Bare `Deno.serve` against the same server calling the handler through each runtime. */
async function httpTable(
  manifest: HandlerManifest,
  permissions: PermissionsSection,
): Promise<void> {
  const body = JSON.stringify({ data: { id: "42", name: body7.name, trace: "t", ok: true } });
  const serveThrough = async (runtime: HandlerRuntime) => {
    try {
      return await measureHttp(async () => {
        const result = await runtime.invoke(invocation);
        if (!result.ok || result.output.kind !== "json") return new Response(null, { status: 500 });
        return new Response(result.output.json, { headers: JSON_HEADERS });
      });
    } finally {
      await runtime.close();
    }
  };
  const variants: Array<[string, () => Promise<number>]> = [
    [
      "bare Deno.serve returning the same JSON",
      () => measureHttp(() => new Response(body, { headers: JSON_HEADERS })),
    ],
    ["Deno.serve + in-process runtime", () => serveThrough(createInProcessRuntime({ manifest }))],
    [
      "Deno.serve + WorkerRuntime pool 1",
      () => serveThrough(createWorkerRuntime({ root: ROOT, permissions, poolSize: 1 })),
    ],
    [
      "Deno.serve + WorkerRuntime pool 2",
      () => serveThrough(createWorkerRuntime({ root: ROOT, permissions, poolSize: 2 })),
    ],
  ];
  const medians = await medianOfRounds(variants);
  console.log(`\nHTTP (wrk -t1 -c32, ${ROUNDS} rounds): ratios are of bare Deno.serve`);
  printRows(variants, medians, medians[0]!);
}

async function medianOfRounds(variants: Array<[string, () => Promise<number>]>): Promise<number[]> {
  const samples = variants.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, [, run]] of variants.entries()) samples[index]!.push(await run());
  }
  return samples.map(median);
}

function printRows(variants: Array<[string, unknown]>, medians: number[], baseline: number): void {
  for (const [index, [name]] of variants.entries()) {
    const perSecond = medians[index]!;
    const ratio = (perSecond / baseline).toFixed(3);
    console.log(`${name.padEnd(50)} ${Math.round(perSecond).toString().padStart(9)}/s  ${ratio}x`);
  }
}

/** Milliseconds from a handler file write to its new code answering, through `reload()`. */
async function reloadLatency(permissions: PermissionsSection): Promise<number> {
  const root = await Deno.makeTempDir({ prefix: "rohas_reload_bench_" });
  const file = join(root, "src/handlers/api/versioned.ts");
  await Deno.mkdir(join(root, "src/handlers/api"), { recursive: true });
  const write = (version: number) =>
    Deno.writeTextFile(
      file,
      `export function handleVersioned() { return { data: ${version} }; }\n`,
    );
  const runtime = createWorkerRuntime({ root, permissions });
  const ref: HandlerRef = { ...handler, file, exports: ["handleVersioned"] };
  const versioned: Invocation = { ...invocation, handler: ref };
  const times: number[] = [];
  try {
    await write(0);
    await runtime.invoke(versioned);
    for (let version = 1; version <= 15; version++) {
      const started = performance.now();
      await write(version);
      const error = await runtime.reload(file);
      const result = await runtime.invoke(versioned);
      if (error !== null || !result.ok || result.output.kind !== "json") {
        throw new Error(`Reload failed: ${error?.message ?? "bad result"}`);
      }
      if ((result.output.value as { data: number }).data !== version) throw new Error("Old code");
      times.push(performance.now() - started);
    }
  } finally {
    await runtime.close();
    await Deno.remove(root, { recursive: true });
  }
  return median(times);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (import.meta.main) await main();
