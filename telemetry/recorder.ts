/**
 * The recorder: the {@linkcode Telemetry} the engine records through, over any
 * {@linkcode TelemetryStore}. The request path records raw values only: a running trace
 * (`_recorded_trace.ts`) keeps the strings, numbers and objects the engine passed, and waits as it
 * is once ended. The records and ISO times the stores take are built at batch flush (`_batch.ts`),
 * by a timer, when a batch fills, or before a read, never on the request path. It also aggregates
 * metrics live, mirrors traces to OpenTelemetry, notifies live subscribers (the workbench's
 * Server-Sent Events) and applies retention.
 *
 * @module
 */

import { isoTime } from "./iso_time.ts";
import type {
  ActiveTrace,
  LogEntry,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TraceRecord,
  TraceStep,
} from "./model.ts";
import type { ImmediateStore, LogQuery, SampleQuery, TelemetryStore, TraceQuery } from "./store.ts";
import { DEFAULT_LIMIT, isImmediate, newestFirst, traceMatches } from "./store.ts";
import { MetricsRegistry, type SeriesSnapshot } from "./metrics_registry.ts";
import type { OtelBridge } from "./otel.ts";
import { RecordedTrace, type TraceOwner } from "./_recorded_trace.ts";
import { traceRecords } from "./_batch.ts";

/** What a live subscriber is told. */
export type TelemetryEvent =
  | { kind: "trace"; trace: TraceRecord }
  | { kind: "log"; entry: LogEntry };

/** What a live subscriber wants. */
export interface SubscribeOptions {
  /**
   * Only log entries: a reader fed by other processes (edges) then asks them for nothing else, so
   * a subscriber such as the terminal costs no message per request. The listener may still be
   * called with traces by a reader that has them at hand. Default false.
   */
  logsOnly?: boolean;
}

/** The query side the workbench reads. */
export interface TelemetryReader {
  /** Running and stored traces, newest first. */
  traces(query?: TraceQuery): Promise<TraceRecord[]>;
  /** One trace, running or stored. */
  trace(id: string): Promise<TraceRecord | undefined>;
  /** Log entries, newest first. */
  logs(query?: LogQuery): Promise<LogEntry[]>;
  /**
   * Stored metric samples, newest first. While traces are recorded, a handler call's
   * `handler_duration_ms` is not among them: its trace step holds the duration.
   */
  samples(query?: SampleQuery): Promise<MetricSample[]>;
  /** Live aggregated series, including process memory and CPU. */
  metrics(): SeriesSnapshot[];
  /** The Prometheus text format of {@linkcode TelemetryReader.metrics}. */
  exposition(): string;
  /** Calls `listener` for each trace start/end and log entry; returns the unsubscribe function. */
  subscribe(listener: (event: TelemetryEvent) => void, options?: SubscribeOptions): () => void;
  /**
   * Resolves once every process that records telemetry streams its events to the subscribers
   * (edge processes answer a subscription asynchronously). Optional: a single process's reader
   * streams at once.
   */
  watching?(): Promise<void>;
}

/** A telemetry that records, stores and answers queries. */
export interface RecordingTelemetry extends Telemetry, TelemetryReader {
  /** The `[telemetry] type`. */
  readonly type: string;
  /** Writes everything queued now. */
  flush(): Promise<void>;
  /** Applies retention now; returns how many records went. */
  prune(): Promise<number>;
  /**
   * Queues records another process's recorder built (an edge's) for this store, as they are: they
   * were counted in that recorder's metrics and shown to its subscribers, so they are neither here.
   */
  persist(records: PersistedRecords): void;
}

/** Records built elsewhere, for {@linkcode RecordingTelemetry.persist}. */
export interface PersistedRecords {
  /** Completed traces. */
  traces: readonly TraceRecord[];
  /** Log entries. */
  logs: readonly LogEntry[];
  /** Metric samples. */
  samples: readonly MetricSample[];
}

/** The bound series of one kind of completed trace. */
interface TraceSeries {
  traces: (value: number) => void;
  requests?: (value: number) => void;
  duration?: (value: number) => void;
}

/** A kind of completed trace (its fields, not a key) and its series. */
interface LastSeries {
  type: string;
  status: string;
  label: string;
  method: string;
  path: string;
  series: TraceSeries;
}

/** The metric of every handler call (`engine/_invoke.ts`), which also adds the call's trace step. */
const HANDLER_DURATION = "handler_duration_ms";

/** Log levels, most severe first. */
const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

/** Options of {@linkcode createRecorder}. */
export interface RecorderOptions {
  /** Record traces. Default true. */
  traces?: boolean;
  /**
   * Keep logs. Default true. When false, entries at or above the level still reach live
   * subscribers (the terminal of `rohas dev`/`start` prints handler failures from them).
   */
  logs?: boolean;
  /** Record metrics. Default true. */
  metrics?: boolean;
  /** Least severe level kept. Default `info`. */
  logLevel?: LogEntry["level"];
  /** 0 keeps forever. Default 30. */
  retentionDays?: number;
  /** How often retention runs. Default one hour. */
  retentionIntervalMs?: number;
  /** Queue flush delay. Default 200. */
  flushIntervalMs?: number;
  /** A queue this long is flushed at once. Default 500. */
  batchSize?: number;
  /**
   * Traces and metric samples handed to the store per second, at most: beyond it the rest of that
   * second's traces and samples are counted in `rohas_telemetry_unpersisted_total{signal}`, not
   * kept. Failed traces have an allowance of their own, so a flood of successes never crowds them
   * out. Live metrics and subscribers see everything. Under load it bounds what the store costs
   * and, for a memory store, makes its last N traces span more than the last few milliseconds.
   * 0: no limit. Default 0.
   */
  maxPersistedPerSecond?: number;
  /** Spans for OpenTelemetry. Default none. */
  otel?: OtelBridge;
  /**
   * The instance this app runs as, among several sharing a broker: traces carry it as the
   * `instance` metadata, logs as the `instance` field, metric series and stored samples as the
   * `instance` label. Default none (nothing added).
   */
  instance?: string;
  /** The clock. Default `Date.now`. */
  now?: () => number;
  /** Called when a batch write or prune fails (the batch is dropped). Default: counted only. */
  onError?: (error: unknown) => void;
}

/** Creates a recorder over a store; `close()` flushes and closes the store.
 *
 * @param store where completed records go
 * @param options flags, batching, retention, OpenTelemetry
 * @returns the recording telemetry
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createRecorder } from "./recorder.ts";
 * import { createMemoryStore } from "./memory_store.ts";
 * const telemetry = createRecorder(createMemoryStore());
 * telemetry.startTrace({ entryPoint: "Health", entryType: "api" }).end("success");
 * assertEquals((await telemetry.traces())[0]?.status, "success");
 * await telemetry.close();
 * ```
 */
export function createRecorder(
  store: TelemetryStore,
  options: RecorderOptions = {},
): RecordingTelemetry {
  return new Recorder(store, options);
}

class Recorder implements RecordingTelemetry, TraceOwner {
  readonly type: string;
  readonly lazyMetadata = true;
  #store: TelemetryStore;
  /** The store when it keeps records at once: nothing is queued for it. */
  #immediate: ImmediateStore | undefined;
  #options: RecorderOptions;
  #now: () => number;
  /** Running traces, newest first: linked through the traces themselves, no hashing per trace. */
  #running: RecordedTrace | undefined;
  /** Ended traces (raw values, no records yet), log entries and samples, until the next write. */
  // Ended traces wait as the objects they are: copying them into columns here cost more (write
  // barriers) than it saved, since a batch lives a few milliseconds (bench/telemetry_bench.ts).
  #queue = newQueue();
  #registry: MetricsRegistry;
  /** `{ instance }`, or undefined: added to traces' metadata, logs' fields, samples' labels. */
  #instance: { instance: string } | undefined;
  /** The series a completed trace counts in, bound once per kind, status and route. */
  #traceSeries = new Map<string, TraceSeries>();
  /** The kind of the last completed trace and its series. */
  #lastSeries: LastSeries | undefined;
  #listeners = new Set<(event: TelemetryEvent) => void>();
  /**
   * The listeners that want traces (not `logsOnly`): with none, a trace builds no record for them,
   * which under `rohas start` (the terminal wants logs only) is two records of every delivery.
   */
  #traceListeners = new Set<(event: TelemetryEvent) => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retention: ReturnType<typeof setInterval> | undefined;
  /** What may still be written this second (see {@linkcode RecorderOptions.maxPersistedPerSecond}). */
  #budget: PersistBudget | undefined;
  #writing: Promise<void> = Promise.resolve();
  #maxLevel: number;
  #closed = false;

  constructor(store: TelemetryStore, options: RecorderOptions) {
    this.type = store.type;
    this.#store = store;
    this.#immediate = isImmediate(store) ? store : undefined;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxLevel = LEVELS.indexOf(options.logLevel ?? "info");
    this.#instance = options.instance ? { instance: options.instance } : undefined;
    this.#registry = new MetricsRegistry(undefined, this.#instance);
    this.#startRetention();
    const limit = options.maxPersistedPerSecond ?? 0;
    if (limit > 0) {
      this.#budget = new PersistBudget(
        limit,
        (signal) => this.#registry.bind("rohas_telemetry_unpersisted_total", "counter", { signal }),
      );
    }
  }

  #startRetention(): void {
    if ((this.#options.retentionDays ?? 30) <= 0) return;
    this.#retention = setInterval(
      () => void this.prune(),
      this.#options.retentionIntervalMs ?? 3_600_000,
    );
    Deno.unrefTimer(this.#retention);
  }

  startTrace(options: StartTraceOptions): ActiveTrace {
    if (this.#options.traces === false || this.#closed) {
      return { id: options.id ?? crypto.randomUUID(), addStep() {}, end() {} };
    }
    // The instance joins the metadata when the trace's metadata is built, which only a trace that
    // is kept or read needs (see `ended`).
    const running = new RecordedTrace(this, options);
    const { id, startedMs } = running;
    this.#running = running.linkBefore(this.#running);
    const otel = this.#options.otel;
    if (otel !== undefined) {
      otel.start(
        id,
        otel.idle ? options : { ...options, metadata: running.metadata ?? {} },
        startedMs,
      );
    }
    if (this.#traceListeners.size > 0) this.#emitTrace(running);
    return running;
  }

  /** A running trace got a step (see {@linkcode RecordedTrace}). */
  stepped(trace: RecordedTrace, step: TraceStep): void {
    this.#options.otel?.step(trace.id, step);
  }

  /** A running trace ended (see {@linkcode RecordedTrace}): it leaves the running list. */
  ended(trace: RecordedTrace): void {
    this.#running = trace.unlink(this.#running);
    const status = trace.status === "failed" ? "failed" : "success";
    this.#options.otel?.end(trace.id, status, trace.error, trace.endedMs);
    this.#traceMetrics(trace);
    if (this.#traceListeners.size > 0) this.#emitTrace(trace);
    if (this.#budget?.spendTrace(status === "failed") === false) return;
    const immediate = this.#immediate;
    if (immediate !== undefined) return immediate.keepTrace(trace);
    // Built now, in `end`, while its lazy part may still read the request: the record is made at
    // the flush.
    void trace.metadata;
    this.#queue.traces.push(trace);
    this.#schedule();
  }

  /** What a trace adds to its metadata when built (see {@linkcode RecordedTrace}). */
  get extra(): { instance: string } | undefined {
    return this.#instance;
  }

  /** The clock (see {@linkcode RecordedTrace}). */
  now(): number {
    return this.#now();
  }

  /** A trace's span context for events it publishes (see {@linkcode RecordedTrace}). */
  traceparent(id: string): string | undefined {
    return this.#options.otel?.traceparent(id);
  }

  #traceMetrics(trace: RecordedTrace): void {
    if (this.#options.metrics === false) return;
    const status = trace.status;
    // Derived from the trace, so they live in the registry only; the trace itself is stored. What
    // is known of the metadata holds what they are counted by: nothing more is built for them.
    const metadata = trace.knownMetadata;
    const type = trace.entryType;
    const label = metadata?.status ?? status;
    const method = type === "api" ? metadata?.method ?? "" : "";
    const path = type === "api" ? metadata?.path ?? "unknown" : "";
    const last = this.#lastSeries;
    // Traces of one route end one after another: the last series bound is compared field by
    // field, so the common case builds no key text.
    const bound = last !== undefined && last.type === type && last.status === status &&
        last.label === label && last.method === method && last.path === path
      ? last.series
      : this.#seriesFor({ type, status, label, method, path });
    bound.traces(1);
    bound.requests?.(1);
    bound.duration?.(trace.endedMs - trace.startedMs);
  }

  /** The series of a kind of trace, bound on its first trace, and remembered as the last one. */
  #seriesFor(kind: Omit<LastSeries, "series">): TraceSeries {
    const route = kind.type === "api" ? `${kind.method} ${kind.path}`.trim() : "";
    const key = `${kind.type}\u0000${kind.status}\u0000${kind.label}\u0000${route}`;
    let series = this.#traceSeries.get(key);
    if (series === undefined) {
      series = this.#bindTraceSeries(kind, route);
      this.#traceSeries.set(key, series);
    }
    this.#lastSeries = { ...kind, series };
    return series;
  }

  #bindTraceSeries(kind: Omit<LastSeries, "series">, route: string): TraceSeries {
    const registry = this.#registry;
    const traces = registry.bind("rohas_traces_total", "counter", {
      type: kind.type,
      status: kind.status,
    });
    if (kind.type !== "api") return { traces };
    return {
      traces,
      requests: registry.bind("rohas_http_requests_total", "counter", {
        route,
        status: kind.label,
      }),
      duration: registry.bind("rohas_http_request_duration_ms", "histogram", { route }),
    };
  }

  log(entry: LogEntry): void {
    if (this.#closed) return;
    if (LEVELS.indexOf(entry.level) > this.#maxLevel) return;
    if (this.#instance) entry = { ...entry, fields: { ...entry.fields, ...this.#instance } };
    this.#emit({ kind: "log", entry });
    if (this.#options.logs === false) return;
    if (this.#immediate !== undefined) return this.#immediate.keepLog(entry);
    this.#queue.logs.push(entry);
    this.#schedule();
  }

  metric(sample: MetricSample): void {
    if (this.#options.metrics === false || this.#closed) return;
    this.#registry.record(sample);
    if (sample.name === HANDLER_DURATION && sample.labels.ok === "false") {
      this.#registry.record({
        name: "rohas_handler_errors_total",
        kind: "counter",
        value: 1,
        labels: { handler: sample.labels.handler ?? "", kind: sample.labels.kind ?? "" },
        timestamp: sample.timestamp,
      });
    }
    // A handler's duration is its trace step's `duration_ms`, stored with the trace: written again
    // as a sample it doubled what the store was given per request (bench/http_bench.ts, rocksdb).
    if (sample.name === HANDLER_DURATION && this.#options.traces !== false) return;
    if (this.#budget?.spendSample() === false) return;
    if (this.#instance) sample = { ...sample, labels: { ...sample.labels, ...this.#instance } };
    if (this.#immediate !== undefined) return this.#immediate.keepSample(sample);
    this.#queue.samples.push(sample);
    this.#schedule();
  }

  #emit(event: TelemetryEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #emitTrace(trace: RecordedTrace): void {
    const event: TelemetryEvent = { kind: "trace", trace: trace.record() };
    for (const listener of this.#traceListeners) listener(event);
  }

  #schedule(): void {
    const q = this.#queue;
    const queued = q.traces.length + q.records.length + q.logs.length + q.samples.length;
    if (queued >= (this.#options.batchSize ?? 500)) {
      void this.flush();
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.flushIntervalMs ?? 200);
  }

  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const { logs, samples, records } = this.#queue;
    // The records are built now, at flush: what a read after this flush sees is in the batch.
    const traces = traceRecords(this.#queue.traces);
    for (const record of records) traces.push(record);
    this.#queue = newQueue();
    // One write at a time keeps batches in order.
    this.#writing = this.#writing.then(() => this.#write(traces, logs, samples));
    return this.#writing;
  }

  async #write(traces: TraceRecord[], logs: LogEntry[], samples: MetricSample[]): Promise<void> {
    try {
      if (traces.length > 0) await this.#store.writeTraces(traces);
      if (logs.length > 0) await this.#store.writeLogs(logs);
      if (samples.length > 0) await this.#store.writeSamples(samples);
    } catch (error) {
      this.#failed(error);
    }
  }

  #failed(error: unknown): void {
    this.#registry.record({
      name: "rohas_telemetry_write_errors_total",
      kind: "counter",
      value: 1,
      labels: { store: this.type },
      timestamp: isoTime(this.#now()),
    });
    this.#options.onError?.(error);
  }

  persist(records: PersistedRecords): void {
    if (this.#closed) return;
    const q = this.#queue;
    for (const record of records.traces) q.records.push(record);
    for (const entry of records.logs) q.logs.push(entry);
    for (const sample of records.samples) q.samples.push(sample);
    this.#schedule();
  }

  async prune(): Promise<number> {
    const days = this.#options.retentionDays ?? 30;
    if (days <= 0) return 0;
    await this.flush();
    try {
      return await this.#store.prune(new Date(this.#now() - days * 86_400_000));
    } catch (error) {
      this.#failed(error);
      return 0;
    }
  }

  async traces(query: TraceQuery = {}): Promise<TraceRecord[]> {
    await this.flush();
    const limit = query.limit ?? DEFAULT_LIMIT;
    const running = RecordedTrace.list(this.#running).map((t) => t.record())
      .filter((t) => traceMatches(t, query));
    const stored = await this.#store.queryTraces({ ...query, limit });
    return [...running, ...stored].sort(newestFirst).slice(0, limit).map((t) => structuredClone(t));
  }

  async trace(id: string): Promise<TraceRecord | undefined> {
    const running = RecordedTrace.list(this.#running).find((t) => t.id === id);
    if (running) return structuredClone(running.record());
    await this.flush();
    return this.#store.getTrace(id);
  }

  async logs(query: LogQuery = {}): Promise<LogEntry[]> {
    await this.flush();
    return this.#store.queryLogs(query);
  }

  async samples(query: SampleQuery = {}): Promise<MetricSample[]> {
    await this.flush();
    return this.#store.querySamples(query);
  }

  metrics(): SeriesSnapshot[] {
    this.#processGauges();
    return this.#registry.snapshot();
  }

  exposition(): string {
    this.#processGauges();
    return this.#registry.exposition();
  }

  #processGauges(): void {
    const timestamp = isoTime(this.#now());
    const memory = Deno.memoryUsage();
    const cpu = processCpu();
    const gauge = (name: string, value: number) =>
      this.#registry.record({ name, kind: "gauge", value, labels: {}, timestamp });
    gauge("process_resident_memory_bytes", memory.rss);
    gauge("process_heap_used_bytes", memory.heapUsed);
    if (cpu) gauge("process_cpu_seconds_total", (cpu.user + cpu.system) / 1e6);
  }

  subscribe(listener: (event: TelemetryEvent) => void, options: SubscribeOptions = {}): () => void {
    this.#listeners.add(listener);
    if (options.logsOnly !== true) this.#traceListeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      this.#traceListeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#retention);
    this.#budget?.stop();
    await this.flush();
    this.#listeners.clear();
    this.#traceListeners.clear();
    await this.#store.close();
  }
}

/** What waits for the next write: ended traces (raw values), records built elsewhere, log
 * entries and samples. */
function newQueue() {
  return {
    traces: [] as RecordedTrace[],
    records: [] as TraceRecord[],
    logs: [] as LogEntry[],
    samples: [] as MetricSample[],
  };
}

/**
 * The traces and samples a persistent store may still be given this second: counts reset by a
 * timer each second, so spending reads no clock.
 */
class PersistBudget {
  readonly #limit: number;
  /** Spent this second: successful traces, failed traces, samples. */
  #spent = { ok: 0, failed: 0, samples: 0 };
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #unpersisted: { traces: (n: number) => void; samples: (n: number) => void };

  constructor(limit: number, counter: (signal: string) => (n: number) => void) {
    this.#limit = limit;
    this.#unpersisted = { traces: counter("traces"), samples: counter("samples") };
    this.#timer = setInterval(() => this.#spent = { ok: 0, failed: 0, samples: 0 }, 1000);
    Deno.unrefTimer(this.#timer);
  }

  /** Whether one more trace may be written this second; counts it as unpersisted when not. */
  spendTrace(failed: boolean): boolean {
    const spent = this.#spent;
    if (failed ? spent.failed++ < this.#limit : spent.ok++ < this.#limit) return true;
    this.#unpersisted.traces(1);
    return false;
  }

  /** Whether one more sample may be written this second; counts it as unpersisted when not. */
  spendSample(): boolean {
    if (this.#spent.samples++ < this.#limit) return true;
    this.#unpersisted.samples(1);
    return false;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * The process's CPU time in microseconds, from `Deno.cpuUsage` (what `node:process` `cpuUsage`
 * calls; not in Deno's type declarations): importing `node:process` for it costs every process
 * about 1.7 MiB resident (bench/memory_bench.ts), an edge included. Undefined if it goes away.
 */
function processCpu(): { user: number; system: number } | undefined {
  return (Deno as { cpuUsage?: () => { user: number; system: number } }).cpuUsage?.();
}
