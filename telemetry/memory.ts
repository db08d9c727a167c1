/**
 * An in-memory telemetry store: traces, logs and metric samples kept in bounded rings, newest
 * first on query. The default for tests and `[telemetry] type = "memory"`; what it holds is lost
 * when the process ends.
 *
 * @module
 */

import type {
  ActiveTrace,
  LogEntry,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TraceRecord,
  TraceStep,
} from "./model.ts";
import {
  logMatches,
  type LogQuery,
  newTraceRecord,
  traceMatches,
  type TraceQuery,
} from "./store.ts";

export type { LogQuery, TraceQuery };

/** Options of {@linkcode createMemoryTelemetry}. */
export interface MemoryTelemetryOptions {
  /** Completed traces kept; the oldest are dropped first. Default 1000. */
  maxTraces?: number;
  /** Log entries kept. Default 5000. */
  maxLogs?: number;
  /** Metric samples kept. Default 10000. */
  maxSamples?: number;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** A {@linkcode Telemetry} that can also be queried. */
export interface MemoryTelemetry extends Telemetry {
  /** Running and completed traces, newest `started_at` first (all unless `limit` is given). */
  traces(query?: TraceQuery): TraceRecord[];
  /** One trace by id, running or completed. */
  trace(id: string): TraceRecord | undefined;
  /** Log entries, newest first. */
  logs(query?: LogQuery): LogEntry[];
  /** Metric samples in recording order. */
  samples(): MetricSample[];
}

/** Creates an in-memory telemetry store.
 *
 * @param options ring sizes and clock
 * @returns the store
 * @example
 * ```ts
 * import { createMemoryTelemetry } from "./memory.ts";
 * const telemetry = createMemoryTelemetry();
 * const trace = telemetry.startTrace({ entryPoint: "Health", entryType: "api" });
 * trace.end("success");
 * if (!(telemetry.traces()[0]?.status === "success")) throw new Error("Example failed");
 * ```
 */
export function createMemoryTelemetry(options: MemoryTelemetryOptions = {}): MemoryTelemetry {
  const now = options.now ?? Date.now;
  const completed = new BoundedList<TraceRecord>(options.maxTraces ?? 1000);
  const active = new Map<string, TraceRecord>();
  const logs = new BoundedList<LogEntry>(options.maxLogs ?? 5000);
  const samples = new BoundedList<MetricSample>(options.maxSamples ?? 10000);

  function startTrace(start: StartTraceOptions): ActiveTrace {
    const startedMs = now();
    const record = newTraceRecord(start.id ?? crypto.randomUUID(), start, startedMs);
    active.set(record.id, record);
    return {
      id: record.id,
      addStep(step: TraceStep) {
        record.steps.push(step);
      },
      end(status, error) {
        if (!active.delete(record.id)) return;
        record.status = status;
        record.completed_at = new Date(now()).toISOString();
        record.duration_ms = now() - startedMs;
        if (error !== undefined) record.error = error;
        completed.push(record);
      },
    };
  }

  return {
    startTrace,
    log: (entry) => logs.push(entry),
    metric: (sample) => samples.push(sample),
    close: () => Promise.resolve(),
    traces(query = {}) {
      const all = [...active.values(), ...completed.items()].filter((t) => traceMatches(t, query));
      all.sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0));
      return query.limit === undefined ? all : all.slice(0, query.limit);
    },
    trace: (id) => active.get(id) ?? completed.items().find((t) => t.id === id),
    logs(query = {}) {
      const matching = logs.items().filter((entry) => logMatches(entry, query)).reverse();
      return query.limit === undefined ? matching : matching.slice(0, query.limit);
    },
    samples: () => samples.items(),
  };
}

/** A list that drops its oldest items past a capacity. */
class BoundedList<T> {
  #items: T[] = [];
  #capacity: number;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  push(item: T): void {
    this.#items.push(item);
    // Trim in chunks so a full ring does not shift the array on every push.
    if (this.#items.length > this.#capacity * 1.25) {
      this.#items = this.#items.slice(this.#items.length - this.#capacity);
    }
  }

  items(): T[] {
    return this.#items.length > this.#capacity
      ? this.#items.slice(this.#items.length - this.#capacity)
      : [...this.#items];
  }
}
