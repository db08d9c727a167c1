/**
 * How a failed handler call becomes an HTTP status and a client-visible message.
 *
 * @module
 */

import type { InvocationResult } from "./runtime/contract.ts";
import type { EngineMode } from "./parts.ts";

/** Status, message and details for the client. */
export interface ClientFailure {
  status: number;
  message: string;
  details?: unknown;
}

/** Maps a failed call: timeout 504, `HttpError` its status, anything else 500 (message hidden in
 * production, except a `state.broadcast` without its endpoint, which names no data).
 *
 * @param result the failed result
 * @param mode dev or production
 * @returns what the client sees
 */
export function clientFailure(
  result: Extract<InvocationResult, { ok: false }>,
  mode: EngineMode,
): ClientFailure {
  const { error } = result;
  if (result.reason === "timeout") {
    return { status: 504, message: mode === "dev" ? error.message : "Handler timed out" };
  }
  const status = error.status;
  if (
    result.reason === "error" && typeof status === "number" && Number.isInteger(status) &&
    status >= 400 && status <= 599
  ) {
    const hide = status >= 500 && mode === "production";
    return {
      status,
      message: hide ? "Internal server error" : error.message,
      ...(error.details === undefined || hide ? {} : { details: error.details }),
    };
  }
  // A broadcast without an endpoint is the handler's misuse of the framework, not its secret.
  const shown = mode === "dev" || error.name === "BroadcastTargetError";
  return { status: 500, message: shown ? error.message : "Internal server error" };
}
