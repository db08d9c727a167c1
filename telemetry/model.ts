/**
 * The telemetry data model and the interface the engine records through (DESIGN.md D11). Record
 * shapes keep the original workbench JSON (SPEC.md 6.1, snake_case keys), extended with parent links,
 * trace ids on logs, and metrics.
 *
 * @module
 */

import type { LogLevel } from "../engine/runtime/contract.ts";

/** What started a trace. */
export type EntryType = "api" | "event" | "cron" | "websocket";

/** A trace's state. */
export type TraceStatus = "running" | "success" | "failed";

/** An event published during a step. */
export interface TriggeredEventRecord {
  event_name: string;
  timestamp: string;
  duration_ms: number;
}

/** One step of a trace: a middleware, a handler, or publishing triggers. */
export interface TraceStep {
  name: string;
  path: string;
  bucket: string;
  handler_name: string;
  duration_ms: number;
  success: boolean;
  error?: string;
  /** ISO 8601 time the step started. */
  timestamp: string;
  triggered_events?: TriggeredEventRecord[];
}

/** One API request, event delivery, cron run or WebSocket phase. */
export interface TraceRecord {
  id: string;
  /** The trace that caused this one (an API call that published the event), or absent. */
  parent_id?: string;
  entry_point: string;
  entry_type: EntryType;
  bucket: string;
  status: TraceStatus;
  duration_ms: number;
  started_at: string;
  completed_at?: string;
  steps: TraceStep[];
  error?: string;
  metadata?: Record<string, string>;
}

/** A structured log line. `trace_id` and `handler` link it to what produced it. */
export interface LogEntry {
  timestamp: string;
  level: LogLevel;
  target: string;
  message: string;
  fields: Record<string, string>;
  trace_id?: string;
  handler?: string;
  span_name?: string;
  span_fields: Record<string, string>;
}

/** Metric kinds. */
export type MetricKind = "counter" | "histogram" | "gauge";

/** A metric sample. Counters add `value`; histograms observe it; gauges set it. */
export interface MetricSample {
  name: string;
  kind: MetricKind;
  value: number;
  labels: Record<string, string>;
  timestamp: string;
}

/** Options to start a trace. */
export interface StartTraceOptions {
  entryPoint: string;
  entryType: EntryType;
  /** Reuse this id (for example the id carried by an event envelope). Default: a new UUID. */
  id?: string;
  parentId?: string;
  metadata?: Record<string, string>;
}

/** A trace being recorded. */
export interface ActiveTrace {
  readonly id: string;
  addStep(step: TraceStep): void;
  /**
   * Adds metadata while the trace runs, such as the HTTP `status` of an API trace (which then
   * labels the request metrics). Optional: a telemetry may ignore it.
   */
  annotate?(metadata: Record<string, string>): void;
  end(status: "success" | "failed", error?: string): void;
}

/** What the engine records through. Implementations batch writes off the request path. */
export interface Telemetry {
  startTrace(options: StartTraceOptions): ActiveTrace;
  log(entry: LogEntry): void;
  metric(sample: MetricSample): void;
  /** Flushes pending writes and closes the store. */
  close(): Promise<void>;
}
