/**
 * The storage boundary of telemetry (docs/design.md#pluggable-boundaries): one small interface,
 * several implementations (`memory`, `rocksdb`, `influxdb`, `timescaledb`; `prometheus` keeps
 * traces and logs in memory and exposes metrics), all run through one conformance suite
 * (`conformance.ts`). Stores are written in batches by the recorder (`recorder.ts`), never on the
 * request path.
 *
 * @module
 */

import type {
  EntryType,
  LogEntry,
  MetricSample,
  TraceRecord,
  TraceStatus,
  TraceStep,
} from "./model.ts";

/** Filters of {@linkcode TelemetryStore.queryTraces}. Results are newest `started_at` first. */
export interface TraceQuery {
  /** At most this many. Default 100. */
  limit?: number;
  /** Only the children of this trace. */
  parentId?: string;
  /** Only traces of this entry type. */
  entryType?: EntryType;
  /** Only traces with this status. */
  status?: TraceStatus;
  /** Only traces started at or after this time. */
  since?: Date;
  /** Only traces started before this time. */
  until?: Date;
}

/** Filters of {@linkcode TelemetryStore.queryLogs}. Results are newest first. */
export interface LogQuery {
  /** At most this many. Default 100. */
  limit?: number;
  /** Only this exact level. */
  level?: LogEntry["level"];
  /** Only entries of this trace. */
  traceId?: string;
  /** Only entries strictly after this ISO timestamp. */
  after?: string;
}

/** Filters of {@linkcode TelemetryStore.querySamples}. Results are newest first. */
export interface SampleQuery {
  /** At most this many. Default 1000. */
  limit?: number;
  /** Only samples of this metric name. */
  name?: string;
  /** Only samples at or after this time. */
  since?: Date;
}

/** Where completed traces, logs and metric samples are kept. */
export interface TelemetryStore {
  /** The `[telemetry] type` this store implements. */
  readonly type: string;
  /** Stores completed traces; a trace written again replaces the earlier copy. */
  writeTraces(traces: readonly TraceRecord[]): Promise<void>;
  /** Stores log entries. */
  writeLogs(logs: readonly LogEntry[]): Promise<void>;
  /** Stores metric samples. */
  writeSamples(samples: readonly MetricSample[]): Promise<void>;
  /** Stored traces, newest `started_at` first, at most `limit`. */
  queryTraces(query?: TraceQuery): Promise<TraceRecord[]>;
  /** One stored trace by id. */
  getTrace(id: string): Promise<TraceRecord | undefined>;
  /** Log entries, newest first. */
  queryLogs(query?: LogQuery): Promise<LogEntry[]>;
  /** Metric samples, newest first. */
  querySamples(query?: SampleQuery): Promise<MetricSample[]>;
  /** Deletes traces, logs and samples older than `cutoff`; returns how many records went. */
  prune(cutoff: Date): Promise<number>;
  /** Closes connections and handles. */
  close(): Promise<void>;
}

/** An ended trace as the recorder holds it: raw values, no record built (see
 * {@linkcode ImmediateStore.keepTrace}). Its record's `bucket` is the metadata's `path`. */
export interface EndedTrace {
  /** The trace id. */
  readonly id: string;
  /** The record's `parent_id`, or undefined. */
  readonly parentId: string | undefined;
  /** The record's `entry_point`. */
  readonly entryPoint: string;
  /** The record's `entry_type`. */
  readonly entryType: EntryType;
  /** The record's metadata (an empty object counts as none), or undefined. */
  readonly metadata: Record<string, string> | undefined;
  /** When it started, in milliseconds since the epoch. */
  readonly startedMs: number;
  /** When it ended, in milliseconds since the epoch. */
  readonly endedMs: number;
  /** How it ended. */
  readonly status: TraceStatus;
  /** Why it failed, or undefined. */
  readonly error: string | undefined;
  /** The first step, or undefined when it has none. */
  readonly firstStep: TraceStep | undefined;
  /** The steps after the first, or undefined. */
  readonly moreSteps: readonly TraceStep[] | undefined;
}

/**
 * A store whose writes complete before they return (in memory). The recorder hands it each
 * record as it comes instead of queueing a batch: a queued record lives until the flush (up to
 * 200 ms), long enough for the garbage collector to copy it and everything it holds, while a
 * record kept at once dies young (only the fields the store keeps stay).
 */
export interface ImmediateStore extends TelemetryStore {
  /** Keeps one ended trace now, from its raw values (the store copies what it keeps). */
  keepTrace(trace: EndedTrace): void;
  /** Keeps one log entry now. */
  keepLog(entry: LogEntry): void;
  /** Keeps one metric sample now (the store copies what it keeps). */
  keepSample(sample: MetricSample): void;
}

/** Whether a store keeps records at once.
 *
 * @param store the store
 * @returns true when it is an {@linkcode ImmediateStore}
 */
export function isImmediate(store: TelemetryStore): store is ImmediateStore {
  return "keepTrace" in store && typeof store.keepTrace === "function";
}

/** The default `limit` of trace and log queries. */
export const DEFAULT_LIMIT = 100;

/** The default `limit` of sample queries. */
export const DEFAULT_SAMPLE_LIMIT = 1000;

/** Whether a trace passes a query's filters (not the limit).
 *
 * @param trace the trace
 * @param query the filters
 * @returns true when it matches
 */
export function traceMatches(trace: TraceRecord, query: TraceQuery): boolean {
  const started = Date.parse(trace.started_at);
  return (query.parentId === undefined || trace.parent_id === query.parentId) &&
    (query.entryType === undefined || trace.entry_type === query.entryType) &&
    (query.status === undefined || trace.status === query.status) &&
    (query.since === undefined || started >= query.since.getTime()) &&
    (query.until === undefined || started < query.until.getTime());
}

/** Whether a log entry passes a query's filters (not the limit).
 *
 * @param entry the entry
 * @param query the filters
 * @returns true when it matches
 */
export function logMatches(entry: LogEntry, query: LogQuery): boolean {
  return (query.level === undefined || entry.level === query.level) &&
    (query.traceId === undefined || entry.trace_id === query.traceId) &&
    (query.after === undefined || entry.timestamp > query.after);
}

/** Orders traces newest `started_at` first, ties by id, so every store answers alike.
 *
 * @param a one trace
 * @param b another
 * @returns the sort order
 */
export function newestFirst(a: TraceRecord, b: TraceRecord): number {
  const d = Date.parse(b.started_at) - Date.parse(a.started_at);
  return d !== 0 ? d : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
