// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * The recorder's per-request hot path, in ns per request: what the engine calls for one API
 * request (startTrace with request metadata, a middleware and a handler step, one histogram
 * sample, end), with nothing recorded vs the recorder over the memory store (the default of
 * `createApp` and of `[telemetry] type = "memory"`). Batch writes and the store's retention run
 * inside the measured loop (the loop yields to microtasks as requests do), so their cost and
 * their GC count. Each variant runs alone in a process of its own (one process running them all
 * made the shared call sites polymorphic and favoured whichever came first), in interleaved
 * rounds; the figures are medians of the process CPU time (GC threads included) and of the wall
 * time.
 *
 * Usage: deno run -A bench/telemetry_bench.ts [--rounds 7] [--requests 200000]
 *        [--baseline <telemetry/mod.ts of another checkout>]   (its recorder as one more variant,
 *                                                              recording as an edge does)
 *        [--only <regex>]  (only the variants whose name matches, besides telemetry off)
 *
 * @module
 */

import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";
import { pathToFileURL } from "node:url";
import * as current from "../telemetry/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";

/** What a variant needs of a telemetry module. */
interface TelemetryModule {
  createRecorder: typeof current.createRecorder;
  createMemoryStore: typeof current.createMemoryStore;
  openRocksdbStore: typeof current.openRocksdbStore;
  isoTime: typeof current.isoTime;
}

interface Variant {
  name: string;
  telemetry: Telemetry;
  /** Give the recorder the start time the engine read (StartTraceOptions.startedMs). */
  passStart: boolean;
  cpu: number[];
  wall: number[];
}

const noop: Telemetry = {
  startTrace: (o) => ({ id: o.id ?? crypto.randomUUID(), addStep() {}, end() {} }),
  log() {},
  metric() {},
  close: () => Promise.resolve(),
};

const LABELS = Object.freeze({ handler: "CreateUser", kind: "api", ok: "true" });
const STEPS = ["middleware:auth", "CreateUser"];

/** One API request as the engine records it. */
function request(variant: Variant, isoTime: TelemetryModule["isoTime"]): void {
  const telemetry = variant.telemetry;
  const startedMs = Date.now();
  const startedAt = isoTime(startedMs);
  // As the engine does: the whole request metadata is built only when the recorder asks for it
  // (StartTraceOptions.lazyMetadata), for a recorder that understands that.
  const metadata = () => ({
    method: "POST",
    path: "/users",
    datetime_utc: isoTime(startedMs),
    ip_address: "127.0.0.1",
    user_agent: "wrk",
  });
  const id = crypto.randomUUID();
  const start = variant.passStart
    ? { id, entryPoint: "CreateUser", entryType: "api", startedMs } as const
    : { id, entryPoint: "CreateUser", entryType: "api" } as const;
  const trace = telemetry.startTrace(
    (telemetry as { lazyMetadata?: boolean }).lazyMetadata === true
      ? { ...start, metadata: { method: "POST", path: "/users" }, lazyMetadata: metadata }
      : { ...start, metadata: metadata() },
  );
  for (const name of STEPS) {
    trace.addStep({
      name,
      path: name,
      bucket: name,
      handler_name: name,
      duration_ms: 0.2,
      success: true,
      timestamp: startedAt,
    });
  }
  telemetry.metric({
    name: "handler_duration_ms",
    kind: "histogram",
    value: 0.2,
    labels: LABELS,
    timestamp: startedAt,
  });
  trace.end("success");
}

async function run(variant: Variant, requests: number): Promise<void> {
  const isoTime = current.isoTime;
  const cpu0 = cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < requests; i++) {
    request(variant, isoTime);
    // Requests end in separate tasks: let the recorder's batch writes (promise jobs) run.
    if ((i & 15) === 15) await null;
  }
  const wall = performance.now() - wall0;
  const cpu = cpuUsage(cpu0);
  variant.cpu.push(((cpu.user + cpu.system) * 1000) / requests);
  variant.wall.push((wall * 1e6) / requests);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Directories a variant made, removed once it is measured. */
const temporary: string[] = [];

/** The variant recording as an edge of `rohas start` does, which `--baseline` is measured as. */
const EDGE = "recorder as an edge of rohas start";

/** The variants: their names and how to make each one's telemetry. */
const VARIANTS: {
  name: string;
  passStart?: boolean;
  make: (m: TelemetryModule) => Telemetry | Promise<Telemetry>;
}[] = [
  { name: "telemetry off (no-op)", make: () => noop },
  {
    name: "recorder over memory",
    make: (m) => m.createRecorder(m.createMemoryStore()),
  },
  {
    name: "recorder over memory, startedMs passed",
    passStart: true,
    make: (m) => m.createRecorder(m.createMemoryStore()),
  },
  {
    // What an edge keeps when `max_cache_size` (1000) is divided among three edges.
    name: "recorder over memory of 333 traces, startedMs passed",
    passStart: true,
    make: (m) => m.createRecorder(m.createMemoryStore({ maxTraces: 333 })),
  },
  {
    name: "recorder over memory of 10000 traces, startedMs passed",
    passStart: true,
    make: (m) => m.createRecorder(m.createMemoryStore({ maxTraces: 10000 })),
  },
  {
    // An edge of `rohas start` on 2 cores with the default config: a memory store of its share of
    // `max_cache_size`, its share of `max_persisted_per_second` (the rest counted, not kept), the
    // instance id on every record.
    name: EDGE,
    passStart: true,
    make: (m) =>
      m.createRecorder(m.createMemoryStore({ maxTraces: 500 }), {
        maxPersistedPerSecond: 500,
        instance: "vm-1234",
      }),
  },
  {
    // Writes are batched off the request path; this shows what is left on it.
    name: "recorder over rocksdb, startedMs passed",
    passStart: true,
    make: async (m) => {
      const path = await Deno.makeTempDir({ prefix: "rohas_bench_" });
      temporary.push(path);
      return m.createRecorder(await m.openRocksdbStore({ path }));
    },
  },
];

/** The baseline's recorder, when `--baseline` names another checkout's telemetry (made as the
 * {@linkcode EDGE} variant). */
const BASELINE = "baseline recorder as an edge of rohas start";

/** Child: measures one variant alone in this process (so its call sites stay monomorphic). */
async function child(name: string, requests: number, baseline: string | undefined) {
  const module: TelemetryModule = name === BASELINE ? await importBaseline(baseline!) : current;
  const spec = VARIANTS.find((v) => v.name === name) ??
    { ...VARIANTS.find((v) => v.name === EDGE)!, name };
  const v: Variant = {
    name,
    telemetry: await spec.make(module),
    passStart: spec.passStart ?? false,
    cpu: [],
    wall: [],
  };
  // Warm-up: fills the store's rings and the queues and tiers the code up.
  await run(v, requests / 2);
  v.cpu.length = v.wall.length = 0;
  await run(v, requests);
  await v.telemetry.close();
  for (const path of temporary) await Deno.remove(path, { recursive: true });
  console.log(JSON.stringify({ cpu: v.cpu[0], wall: v.wall[0] }));
}

function importBaseline(path: string): Promise<TelemetryModule> {
  return import(path.startsWith("file:") ? path : pathToFileURL(path).href);
}

async function measure(name: string, options: { requests: number; baseline?: string }) {
  const args = ["run", "-A", import.meta.filename!, "--variant", name];
  args.push("--requests", String(options.requests));
  if (options.baseline) args.push("--baseline", options.baseline);
  const out = await new Deno.Command(Deno.execPath(), { args, stderr: "inherit" }).output();
  if (!out.success) throw new Error(`Variant "${name}" failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as { cpu: number; wall: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "7" },
      requests: { type: "string", default: "200000" },
      baseline: { type: "string" },
      variant: { type: "string" },
      only: { type: "string" },
    },
  });
  const requests = Number(values.requests);
  if (values.variant) return await child(values.variant, requests, values.baseline);
  const rounds = Number(values.rounds);
  const only = values.only === undefined ? undefined : new RegExp(values.only);
  // The first, telemetry off, is what each cost is read against: always measured.
  const names = VARIANTS.map((v) => v.name).concat(values.baseline ? [BASELINE] : [])
    .filter((name, i) => i === 0 || only === undefined || only.test(name));
  const variants: Variant[] = names.map((name) => ({
    name,
    telemetry: noop,
    passStart: false,
    cpu: [],
    wall: [],
  }));
  for (let r = 0; r < rounds; r++) {
    // Each variant in a process of its own, in rotated order.
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length]!;
      const m = await measure(v.name, {
        requests,
        ...(values.baseline ? { baseline: values.baseline } : {}),
      });
      v.cpu.push(m.cpu);
      v.wall.push(m.wall);
    }
  }
  report(variants, { rounds, requests });
}

function report(variants: Variant[], { rounds, requests }: { rounds: number; requests: number }) {
  console.log(`${requests} requests per round, medians of ${rounds} interleaved rounds`);
  const off = median(variants[0]!.cpu);
  for (const v of variants) {
    const cpu = median(v.cpu);
    console.log(
      `${v.name.padEnd(40)} cpu ${cpu.toFixed(0).padStart(5)} ns/request` +
        `  wall ${median(v.wall).toFixed(0).padStart(5)} ns/request` +
        (v === variants[0] ? "" : `  recorder cost ${(cpu - off).toFixed(0).padStart(5)} ns`),
    );
  }
}

await main();
