/**
 * Background errors of an event adapter (a lost connection, a failed poll) as log entries, so they
 * reach the engine's log instead of vanishing.
 *
 * @module
 */

import type { LogEntry } from "../telemetry/mod.ts";

/** Builds the log entry of an adapter's background error.
 *
 * @param adapterType the `[adapter] type`, named in the entry's target
 * @param error what the adapter reported
 * @returns an error-level log entry
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { adapterErrorLog } from "./_adapter_log.ts";
 * const entry = adapterErrorLog("nats", new Error("Connection lost"));
 * assert(!(entry.target !== "adapter:nats" || entry.message !== "Connection lost"));
 * ```
 */
export function adapterErrorLog(adapterType: string, error: unknown): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: `adapter:${adapterType}`,
    message: error instanceof Error ? error.message : String(error),
    fields: error instanceof Error ? { error: error.name } : {},
    span_fields: {},
  };
}
