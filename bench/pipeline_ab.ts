// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * A/B of the HTTP pipeline alone between this checkout and another one, in one process and without
 * a socket: both builds serve examples/hello-ts through `createApp` (memory telemetry, the
 * in-process runtime, as an edge of `rohas start` runs it) and answer POST /bench built as a
 * `Request`, in short blocks that alternate (A, B, B, A...), so load on a shared machine touches
 * both alike. It reports the process's CPU time per request (every thread: garbage collection
 * included; the `Request` built for each call counts in both), the ratio B/A of the sums and the
 * median of the pairs, then the bytes each build's pipeline allocates per request (a child process
 * with a young generation too large to be collected during the count, heap growth over 2,000
 * requests less the growth of a bare `Response` answer): steadier than any time on a loaded machine.
 *
 *   deno run -A bench/pipeline_ab.ts --checkout <dir> [--blocks 200] [--per 1000]
 *   deno run -A bench/pipeline_ab.ts --telemetry [--store forward|memory] [--checkout <dir>] [--blocks 200]
 *
 * With `--telemetry`, A is the pipeline with every telemetry signal disabled (the recorder an edge
 * runs with `enable_traces`, `enable_logs`, `enable_metrics` false) and B the same
 * pipeline with the recorder an edge of `rohas start` runs, both from this checkout or from
 * `--checkout`: what recording one request costs. `--store forward` (the default): the one edge of
 * 2 cores under the default store (rocksdb), sending the 200 traces a second it keeps to the main
 * process as JSON lines (encoded here, not sent); `--store memory`: an edge keeping a memory store
 * of 333 traces, 67 a second (three edges, as measured before).
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { join, resolve } from "node:path";
import { machineLine } from "./_machine.ts";
import { BENCH_BODY, median, REPO } from "./_project.ts";

/** The flags of the allocation count: a young generation that no request fills, `gc()` exposed. */
const ALLOC_FLAGS = "--v8-flags=--expose-gc,--min-semi-space-size=128,--max-semi-space-size=128";

/** A pipeline as `Deno.serve` calls it (the serve info is what an edge passes on). */
export type Handler = (request: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;

/**
 * Which telemetry the app records with: the default (memory), none, an edge's recorder, or an
 * edge's recorder that keeps at most one trace a second (every other trace counted, not kept: the
 * common path alone, whose allocation count does not depend on where the seconds fall).
 */
export type TelemetryKind = "default" | "off" | "disabled" | "edge" | "forward" | "counted";

/** A telemetry that records nothing (what `bench/http_bench.ts` calls telemetry off). */
const NO_TELEMETRY = {
  startTrace: (o: { id?: string }) => ({ id: o.id ?? crypto.randomUUID(), addStep() {}, end() {} }),
  log() {},
  metric() {},
  close: async () => {},
};

/**
 * The pipeline of the checkout at `root` serving examples/hello-ts, with the telemetry `kind`.
 *
 * @param root the checkout
 * @param kind which telemetry records
 * @returns its request handler
 */
export async function load(root: string, kind: TelemetryKind = "default"): Promise<Handler> {
  const url = (path: string) => new URL(`file://${join(root, path)}`).href;
  const { createApp } = await import(url("mod.ts"));
  const { manifest } = await import(url("examples/hello-ts/src/generated/manifest.ts"));
  const options: Record<string, unknown> = {
    manifest,
    root: join(root, "examples/hello-ts"),
    cron: false,
  };
  if (kind === "off") options.telemetry = NO_TELEMETRY;
  if (kind === "disabled") {
    // What an edge of `rohas start` runs with `enable_traces`, `enable_logs` and `enable_metrics`
    // false (bench/http_bench.ts "telemetry off"): a recorder that records nothing but still
    // takes a request's metadata lazily, unlike a telemetry without `lazyMetadata`.
    const { createRecorder, createMemoryStore } = await import(url("telemetry/mod.ts"));
    options.telemetry = createRecorder(createMemoryStore(), {
      traces: false,
      logs: false,
      metrics: false,
      retentionDays: 0,
    });
  }
  if (kind === "forward") {
    const { createRecorder } = await import(url("telemetry/mod.ts"));
    options.telemetry = createRecorder(forwardingStore(), {
      retentionDays: 0,
      maxPersistedPerSecond: 200,
      instance: "bench-instance",
    });
  }
  if (kind === "edge" || kind === "counted") {
    const { createRecorder, createMemoryStore } = await import(url("telemetry/mod.ts"));
    options.telemetry = createRecorder(createMemoryStore({ maxTraces: 333 }), {
      retentionDays: 0,
      maxPersistedPerSecond: kind === "edge" ? 67 : 1,
      instance: "bench-instance",
    });
  }
  const app = await createApp(options);
  return (request, info) => app.handler(request, info);
}

/**
 * What an edge's recorder writes to under a store the main process owns: each batch becomes the
 * JSON line the edge's channel would send (engine/edge/_forwarding_store.ts, encoded and dropped).
 */
function forwardingStore(): Record<string, unknown> {
  const encoder = new TextEncoder();
  const send = (records: Record<string, unknown>) => {
    const line = JSON.stringify({ type: "records", traces: [], logs: [], samples: [], ...records });
    encoder.encode(line + "\n");
    return Promise.resolve();
  };
  const none = () => Promise.resolve([]);
  return {
    type: "forward",
    writeTraces: (traces: unknown[]) => send({ traces }),
    writeLogs: (logs: unknown[]) => send({ logs }),
    writeSamples: (samples: unknown[]) => send({ samples }),
    queryTraces: none,
    getTrace: () => Promise.resolve(undefined),
    queryLogs: none,
    querySamples: none,
    prune: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };
}

function benchRequest(): Request {
  return new Request("http://127.0.0.1:3000/bench", {
    method: "POST",
    body: BENCH_BODY,
    headers: {
      "content-type": "application/json",
      "content-length": String(BENCH_BODY.length),
      host: "127.0.0.1:3000",
    },
  });
}

async function serve(handler: Handler, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await handler(benchRequest());
    if (response.status !== 200) throw new Error(`POST /bench answered ${response.status}`);
    await response.text();
  }
}

/** CPU microseconds per request of `count` requests. */
async function cpuPerRequest(handler: Handler, count: number): Promise<number> {
  const before = process.cpuUsage();
  await serve(handler, count);
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / count;
}

/** Heap growth per request, in bytes (run with {@linkcode ALLOC_FLAGS}). */
async function bytesPerRequest(handler: Handler): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  await serve(handler, 3_000);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    gc();
    gc();
    const before = Deno.memoryUsage().heapUsed;
    await serve(handler, 2_000);
    rounds.push((Deno.memoryUsage().heapUsed - before) / 2_000);
  }
  return median(rounds);
}

/** The child of the allocation count: prints the bytes the pipeline of `root` allocates. */
async function allocChild(root: string, kind: TelemetryKind): Promise<void> {
  const bare: Handler = async (request) => {
    await request.json();
    return new Response('{"data":{"ok":true,"name":"Ann"}}');
  };
  const floor = await bytesPerRequest(bare);
  console.log(String(await bytesPerRequest(await load(root, kind)) - floor));
}

async function allocOf(root: string, kind: TelemetryKind): Promise<number> {
  const args = [
    "run",
    "-A",
    ALLOC_FLAGS,
    new URL(import.meta.url).pathname,
    "--alloc",
    root,
    "--kind",
    kind,
  ];
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: REPO, stderr: "inherit" })
    .output();
  if (!out.success) throw new Error(`The allocation count of ${root} failed`);
  return Number(new TextDecoder().decode(out.stdout).trim());
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      checkout: { type: "string" },
      blocks: { type: "string", default: "200" },
      per: { type: "string", default: "1000" },
      alloc: { type: "string" },
      kind: { type: "string", default: "default" },
      telemetry: { type: "boolean", default: false },
      store: { type: "string", default: "forward" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.alloc !== undefined) {
    await allocChild(values.alloc, values.kind as TelemetryKind);
    Deno.exit(0);
  }
  if (values.help || (values.checkout === undefined && !values.telemetry)) {
    console.error(
      "Usage: deno run -A bench/pipeline_ab.ts --checkout <dir> [--blocks 200] [--per 1000]\n" +
        "       deno run -A bench/pipeline_ab.ts --telemetry [--store forward|memory] [--checkout <dir>]",
    );
    Deno.exit(values.help ? 0 : 2);
  }
  const telemetryAb = values.telemetry;
  const root = values.checkout === undefined ? REPO : resolve(values.checkout);
  const roots = telemetryAb ? [root, root] : [root, REPO];
  const edgeKind: TelemetryKind = values.store === "memory" ? "edge" : "forward";
  const kinds: TelemetryKind[] = telemetryAb ? ["disabled", edgeKind] : ["default", "default"];
  const handlers = [await load(roots[0]!, kinds[0]), await load(roots[1]!, kinds[1])];
  for (const handler of handlers) await serve(handler, 5_000);
  const blocks = Number(values.blocks);
  const per = Number(values.per);
  let sumA = 0;
  let sumB = 0;
  const pairs: number[] = [];
  for (let block = 0; block < blocks; block++) {
    const spent = [0, 0];
    for (const k of block % 2 === 0 ? [0, 1] : [1, 0]) {
      spent[k] = await cpuPerRequest(handlers[k]!, per);
    }
    sumA += spent[0]!;
    sumB += spent[1]!;
    pairs.push(spent[1]! / spent[0]!);
  }
  console.log(machineLine());
  console.log(
    `A = ${roots[0]} (${kinds[0]}), B = ${roots[1]} (${
      kinds[1]
    }); ${blocks} alternating blocks of ${per} requests`,
  );
  console.log(
    `cpu/request A ${(sumA / blocks).toFixed(2)} us, B ${(sumB / blocks).toFixed(2)} us`,
  );
  console.log(
    `B/A x${(sumB / sumA).toFixed(3)} (sums), x${median(pairs).toFixed(3)} (median of pairs)`,
  );
  const bytes = [await allocOf(roots[0]!, kinds[0]!), await allocOf(roots[1]!, kinds[1]!)];
  console.log(
    `pipeline allocation: A ${bytes[0]!.toFixed(0)} B, B ${bytes[1]!.toFixed(0)} B a request`,
  );
  const counted = [await allocOf(roots[0]!, "counted"), await allocOf(roots[1]!, "counted")];
  console.log(
    `the same with the recorder counting every trace but one a second: A ${
      counted[0]!.toFixed(0)
    } B, B ${counted[1]!.toFixed(0)} B a request`,
  );
  Deno.exit(0);
}
