/**
 * The JSON shapes the workbench API answers with (mirrors telemetry/model.ts).
 *
 * @module
 */

/** A trace step. */
export interface TraceStep {
  name: string;
  handler_name: string;
  duration_ms: number;
  success: boolean;
  error?: string;
  timestamp: string;
  triggered_events?: { event_name: string; timestamp: string; duration_ms: number }[];
}

/** A trace. */
export interface TraceRecord {
  id: string;
  parent_id?: string;
  entry_point: string;
  entry_type: "api" | "event" | "cron" | "websocket";
  bucket: string;
  status: "running" | "success" | "failed";
  duration_ms: number;
  started_at: string;
  completed_at?: string;
  steps: TraceStep[];
  error?: string;
  metadata?: Record<string, string>;
}

/** A trace with its descendants and logs (`/traces/{id}`). */
export interface TraceTree extends TraceRecord {
  children: TraceTree[];
  logs?: LogEntry[];
}

/** A log line. */
export interface LogEntry {
  timestamp: string;
  level: "error" | "warn" | "info" | "debug" | "trace";
  target: string;
  message: string;
  fields: Record<string, string>;
  trace_id?: string;
  handler?: string;
}

/** `/endpoints`. */
export interface Endpoints {
  apis: {
    name: string;
    method: string;
    path: string;
    body: string | null;
    response: string;
    triggers: string[];
    middlewares: string[];
  }[];
  websockets: { name: string; path: string; message: string | null; triggers: string[] }[];
  crons: { name: string; schedule: string; triggers: string[]; timezone?: string }[];
  events: { name: string; payload: string; handlers: string[]; triggers: string[] }[];
}

/** A JSON Schema. */
export interface JsonSchema {
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
}

/** A metric series (`/metrics`). */
export interface Series {
  name: string;
  kind: string;
  labels: Record<string, string>;
  value: number;
  count?: number;
  p50?: number;
  p99?: number;
}
