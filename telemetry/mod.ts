/**
 * Telemetry: traces, logs and metrics (DESIGN.md D11).
 *
 * @module
 */

export type {
  ActiveTrace,
  EntryType,
  LogEntry,
  MetricKind,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TraceRecord,
  TraceStatus,
  TraceStep,
  TriggeredEventRecord,
} from "./model.ts";
export type { LogQuery, MemoryTelemetry, MemoryTelemetryOptions, TraceQuery } from "./memory.ts";
export { createMemoryTelemetry } from "./memory.ts";
