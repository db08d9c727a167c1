/**
 * The JSON shapes the workbench API answers with: telemetry's and the adapters' own types, and
 * the shapes the workbench handler builds.
 *
 * @module
 */

// The server's own declarations, imported as types only: the bundle carries none of their code,
// and a change of the API's shapes fails the SPA's type check instead of drifting from a copy.
export type {
  LogEntry,
  SeriesSnapshot as Series,
  TraceRecord,
  TraceStep,
} from "../../telemetry/mod.ts";
export type { DeadLetterJson } from "../../adapters/mod.ts";
import type { LogEntry, TraceRecord } from "../../telemetry/mod.ts";

import type { FlowControls } from "../../parser/mod.ts";

/** One handler's flow controls (`on <handler> { … }`), as the parser stores them. */
export type FlowJson = FlowControls;

/** One key of a limit, as `/limits` sends it (`""` for a limit without `by`). */
interface KeyInUse {
  key: string;
}

/** What one handler's limits hold across instances (`/limits`; the engine's `limitsSnapshot`). */
export interface LimitsJson {
  handler: string;
  event: string;
  concurrency?: {
    limit: number;
    keys: (KeyInUse & { in_flight: number; instances: string[] })[];
  };
  rate?: BudgetJson;
  throttle?: BudgetJson;
}

/** A rate or throttle budget: its window's end (ms since the epoch) and the keys that used some. */
interface BudgetJson {
  limit: number;
  period_ms: number;
  resets_at: number;
  keys: (KeyInUse & { used: number })[];
}

/** A trace with its descendants and logs (`/traces/{id}`). */
export interface TraceTree extends TraceRecord {
  children: TraceTree[];
  logs?: LogEntry[];
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
  websockets: {
    name: string;
    path: string;
    message: string | null;
    triggers: string[];
    middlewares: string[];
  }[];
  crons: { name: string; schedule: string; triggers: string[]; timezone?: string }[];
  events: {
    name: string;
    payload: string;
    handlers: string[];
    triggers: string[];
    /** The `on <handler> { … }` blocks; absent from servers that predate them. */
    flow?: FlowJson[];
  }[];
}

/** A JSON Schema. */
export interface JsonSchema {
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
}
