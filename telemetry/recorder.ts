/**
 * The recorder: the {@linkcode Telemetry} the engine records through, over any
 * {@linkcode TelemetryStore}. Running traces live in memory; completed traces, logs and samples
 * are queued and written in batches by a timer (or when a batch fills), never on the request path.
 * It also aggregates metrics live, mirrors traces to OpenTelemetry, notifies live subscribers
 * (the workbench's Server-Sent Events) and applies retention.
 *
 * @module
 */

import { isoTime } from "./iso_time.ts";
import { cpuUsage } from "node:process";
import type {
  ActiveTrace,
  LogEntry,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TraceRecord,
  TraceStep,
} from "./model.ts";
import type { LogQuery, SampleQuery, TelemetryStore, TraceQuery } from "./store.ts";
import { DEFAULT_LIMIT, newestFirst, traceMatches } from "./store.ts";
import { MetricsRegistry, type SeriesSnapshot } from "./metrics_registry.ts";
import type { OtelBridge } from "./otel.ts";

/** What a live subscriber is told. */
export type TelemetryEvent =
  | { kind: "trace"; trace: TraceRecord }
  | { kind: "log"; entry: LogEntry };

/** The query side the workbench reads. */
export interface TelemetryReader {
  /** Running and stored traces, newest first. */
  traces(query?: TraceQuery): Promise<TraceRecord[]>;
  /** One trace, running or stored. */
  trace(id: string): Promise<TraceRecord | undefined>;
  /** Log entries, newest first. */
  logs(query?: LogQuery): Promise<LogEntry[]>;
  /** Stored metric samples, newest first. */
  samples(query?: SampleQuery): Promise<MetricSample[]>;
  /** Live aggregated series, including process memory and CPU. */
  metrics(): SeriesSnapshot[];
  /** The Prometheus text format of {@linkcode TelemetryReader.metrics}. */
  exposition(): string;
  /** Calls `listener` for each trace start/end and log entry; returns the unsubscribe function. */
  subscribe(listener: (event: TelemetryEvent) => void): () => void;
}

/** A telemetry that records, stores and answers queries. */
export interface RecordingTelemetry extends Telemetry, TelemetryReader {
  /** The `[telemetry] type`. */
  readonly type: string;
  /** Writes everything queued now. */
  flush(): Promise<void>;
  /** Applies retention now; returns how many records went. */
  prune(): Promise<number>;
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

/** Log levels, most severe first. */
const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

/** Options of {@linkcode createRecorder}. */
export interface RecorderOptions {
  /** Record traces. Default true. */
  traces?: boolean;
  /** Record logs. Default true. */
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
  /** Spans for OpenTelemetry. Default none. */
  otel?: OtelBridge;
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
 * import { createRecorder } from "./recorder.ts";
 * import { createMemoryStore } from "./memory_store.ts";
 * const telemetry = createRecorder(createMemoryStore());
 * telemetry.startTrace({ entryPoint: "Health", entryType: "api" }).end("success");
 * if (!((await telemetry.traces())[0]?.status === "success")) throw new Error("Example failed");
 * await telemetry.close();
 * ```
 */
export function createRecorder(
  store: TelemetryStore,
  options: RecorderOptions = {},
): RecordingTelemetry {
  return new Recorder(store, options);
}

class Recorder implements RecordingTelemetry {
  readonly type: string;
  #store: TelemetryStore;
  #options: RecorderOptions;
  #now: () => number;
  /** Running traces, newest first: linked through the traces themselves, no hashing per trace. */
  #running: RecordedTrace | undefined;
  #queue = { traces: [] as TraceRecord[], logs: [] as LogEntry[], samples: [] as MetricSample[] };
  #registry = new MetricsRegistry();
  /** The series a completed trace counts in, bound once per kind, status and route. */
  #traceSeries = new Map<string, TraceSeries>();
  /** The kind of the last completed trace and its series. */
  #lastSeries: LastSeries | undefined;
  #listeners = new Set<(event: TelemetryEvent) => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retention: ReturnType<typeof setInterval> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #maxLevel: number;
  #closed = false;
  /** The last millisecond turned into ISO text, and that text: traces ending together share it. */

  constructor(store: TelemetryStore, options: RecorderOptions) {
    this.type = store.type;
    this.#store = store;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxLevel = LEVELS.indexOf(options.logLevel ?? "info");
    this.#startRetention();
  }

  #startRetention(): void {
    if ((this.#options.retentionDays ?? 30) <= 0) return;
    this.#retention = setInterval(
      () => void this.prune(),
      this.#options.retentionIntervalMs ?? 3_600_000,
    );
    Deno.unrefTimer(this.#retention);
  }

  startTrace(start: StartTraceOptions): ActiveTrace {
    const id = start.id ?? crypto.randomUUID();
    if (this.#options.traces === false || this.#closed) return { id, addStep() {}, end() {} };
    const startedMs = this.#now();
    const record = newTraceRecord(id, start, isoTime(startedMs));
    const running = new RecordedTrace(this, record, startedMs);
    this.#running = running.linkBefore(this.#running);
    this.#options.otel?.start(id, start, startedMs);
    if (this.#listeners.size > 0) this.#emit({ kind: "trace", trace: record });
    return running;
  }

  /** Adds a step to a running trace (see {@linkcode RecordedTrace}). */
  addStep(record: TraceRecord, step: TraceStep): void {
    // A first step gets an array of its own size: a push would reserve room for 16, which a
    // stored trace keeps for as long as it is kept.
    if (record.steps.length === 0) record.steps = [step];
    else record.steps.push(step);
    this.#options.otel?.step(record.id, step);
  }

  /** Ends a running trace (see {@linkcode RecordedTrace}), which leaves the running list. */
  end(trace: RecordedTrace, status: "success" | "failed", error?: string): void {
    this.#running = trace.unlink(this.#running);
    this.#end(trace.record, trace.startedMs, status, error);
  }

  #end(record: TraceRecord, startedMs: number, status: "success" | "failed", error?: string) {
    const endMs = this.#now();
    record.status = status;
    record.completed_at = isoTime(endMs);
    record.duration_ms = endMs - startedMs;
    if (error !== undefined) record.error = error;
    this.#options.otel?.end(record.id, status, error, endMs);
    this.#traceMetrics(record);
    this.#queue.traces.push(record);
    if (this.#listeners.size > 0) this.#emit({ kind: "trace", trace: record });
    this.#schedule();
  }

  #traceMetrics(record: TraceRecord): void {
    if (this.#options.metrics === false) return;
    // Derived from the trace, so they live in the registry only; the trace itself is stored.
    const status = record.metadata?.status ?? record.status;
    const method = record.entry_type === "api" ? record.metadata?.method ?? "" : "";
    const path = record.entry_type === "api" ? record.metadata?.path ?? record.bucket : "";
    const last = this.#lastSeries;
    // Traces of one route end one after another: the last series bound is compared field by
    // field, so the common case builds no key text.
    const bound = last !== undefined && last.type === record.entry_type &&
        last.status === record.status && last.label === status && last.method === method &&
        last.path === path
      ? last.series
      : this.#seriesFor(record, { status, method, path });
    bound.traces(1);
    bound.requests?.(1);
    bound.duration?.(record.duration_ms);
  }

  /** The series of a kind of trace, bound on its first trace, and remembered as the last one. */
  #seriesFor(
    record: TraceRecord,
    { status, method, path }: { status: string; method: string; path: string },
  ): TraceSeries {
    const route = record.entry_type === "api" ? `${method} ${path}`.trim() : "";
    const key = `${record.entry_type}\u0000${record.status}\u0000${status}\u0000${route}`;
    let series = this.#traceSeries.get(key);
    if (series === undefined) {
      series = this.#bindTraceSeries(record, status, route);
      this.#traceSeries.set(key, series);
    }
    this.#lastSeries = {
      type: record.entry_type,
      status: record.status,
      label: status,
      method,
      path,
      series,
    };
    return series;
  }

  #bindTraceSeries(record: TraceRecord, status: string, route: string): TraceSeries {
    const registry = this.#registry;
    const traces = registry.bind("rohas_traces_total", "counter", {
      type: record.entry_type,
      status: record.status,
    });
    if (record.entry_type !== "api") return { traces };
    return {
      traces,
      requests: registry.bind("rohas_http_requests_total", "counter", { route, status }),
      duration: registry.bind("rohas_http_request_duration_ms", "histogram", { route }),
    };
  }

  log(entry: LogEntry): void {
    if (this.#options.logs === false || this.#closed) return;
    if (LEVELS.indexOf(entry.level) > this.#maxLevel) return;
    this.#queue.logs.push(entry);
    this.#emit({ kind: "log", entry });
    this.#schedule();
  }

  metric(sample: MetricSample): void {
    if (this.#options.metrics === false || this.#closed) return;
    this.#registry.record(sample);
    if (sample.name === "handler_duration_ms" && sample.labels.ok === "false") {
      this.#registry.record({
        name: "rohas_handler_errors_total",
        kind: "counter",
        value: 1,
        labels: { handler: sample.labels.handler ?? "", kind: sample.labels.kind ?? "" },
        timestamp: sample.timestamp,
      });
    }
    this.#queue.samples.push(sample);
    this.#schedule();
  }

  #emit(event: TelemetryEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #schedule(): void {
    const q = this.#queue;
    if (q.traces.length + q.logs.length + q.samples.length >= (this.#options.batchSize ?? 500)) {
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
    const { traces, logs, samples } = this.#queue;
    this.#queue = { traces: [], logs: [], samples: [] };
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
    const running = RecordedTrace.records(this.#running).filter((t) => traceMatches(t, query));
    const stored = await this.#store.queryTraces({ ...query, limit });
    return [...running, ...stored].sort(newestFirst).slice(0, limit).map((t) => structuredClone(t));
  }

  async trace(id: string): Promise<TraceRecord | undefined> {
    const running = RecordedTrace.records(this.#running).find((t) => t.id === id);
    if (running) return structuredClone(running);
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
    const cpu = cpuUsage();
    const gauge = (name: string, value: number) =>
      this.#registry.record({ name, kind: "gauge", value, labels: {}, timestamp });
    gauge("process_resident_memory_bytes", memory.rss);
    gauge("process_heap_used_bytes", memory.heapUsed);
    gauge("process_cpu_seconds_total", (cpu.user + cpu.system) / 1e6);
  }

  subscribe(listener: (event: TelemetryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#retention);
    await this.flush();
    this.#listeners.clear();
    await this.#store.close();
  }
}

/**
 * The running trace the engine holds: one object per trace, no closures. Running traces form a
 * doubly linked list through these objects, so starting and ending a trace hashes nothing.
 */
class RecordedTrace implements ActiveTrace {
  readonly id: string;
  /** The record, completed in place when the trace ends. */
  readonly record: TraceRecord;
  /** When it started, in milliseconds since the epoch. */
  readonly startedMs: number;
  readonly #recorder: Recorder;
  #running = true;
  #newer: RecordedTrace | undefined;
  #older: RecordedTrace | undefined;

  constructor(recorder: Recorder, record: TraceRecord, startedMs: number) {
    this.id = record.id;
    this.#recorder = recorder;
    this.record = record;
    this.startedMs = startedMs;
  }

  /** The records of the list that starts at `newest`, newest first. */
  static records(newest: RecordedTrace | undefined): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (let t = newest; t !== undefined; t = t.#older) out.push(t.record);
    return out;
  }

  /** Puts this trace in front of the list that starts at `newest`; returns the new first. */
  linkBefore(newest: RecordedTrace | undefined): RecordedTrace {
    this.#older = newest;
    if (newest !== undefined) newest.#newer = this;
    return this;
  }

  /** Takes this trace out of the list that starts at `newest`; returns that list's first. */
  unlink(newest: RecordedTrace | undefined): RecordedTrace | undefined {
    const newer = this.#newer;
    const older = this.#older;
    if (newer !== undefined) newer.#older = older;
    if (older !== undefined) older.#newer = newer;
    this.#newer = undefined;
    this.#older = undefined;
    return newest === this ? older : newest;
  }

  addStep(step: TraceStep): void {
    if (this.#running) this.#recorder.addStep(this.record, step);
  }

  annotate(metadata: Record<string, string>): void {
    if (this.#running) this.record.metadata = { ...this.record.metadata, ...metadata };
  }

  end(status: "success" | "failed", error?: string): void {
    if (!this.#running) return;
    this.#running = false;
    this.#recorder.end(this, status, error);
  }
}

/** A running trace's record. It keeps `start.metadata` itself (the engine builds one per trace). */
function newTraceRecord(id: string, start: StartTraceOptions, startedAt: string): TraceRecord {
  const metadata = start.metadata;
  const record: TraceRecord = {
    id,
    entry_point: start.entryPoint,
    entry_type: start.entryType,
    bucket: metadata?.path ?? "unknown",
    status: "running",
    duration_ms: 0,
    started_at: startedAt,
    steps: [],
  };
  if (start.parentId !== undefined) record.parent_id = start.parentId;
  if (metadata !== undefined && hasKeys(metadata)) record.metadata = metadata;
  return record;
}

/** Whether an object has an own enumerable key, without listing them. */
function hasKeys(object: Record<string, string>): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
