/**
 * One handler call as every path makes it: through the runtime with the configured timeout, with a
 * trace step and the handler's log effects forwarded to telemetry.
 *
 * @module
 */

import { isoTime } from "../telemetry/mod.ts";
import type { ActiveTrace, TraceStep, TriggeredEventRecord } from "../telemetry/mod.ts";
import type {
  HandlerRef,
  Invocation,
  InvocationInput,
  InvocationResult,
} from "./runtime/contract.ts";
import type { EngineParts } from "./parts.ts";
import { BroadcastTargetError, missingBroadcastTarget } from "./runtime/errors.ts";

/** The `span_name` of the log entry a failed handler call writes (fields `stack`, `attempt`...). */
export const HANDLER_FAILURE_SPAN = "handler_failure";

/**
 * The `span_name` of the log entry a middleware's rejection writes (an `HttpError` below 500: the
 * middleware answering a client, such as a 401 without a token; fields `status`, `middleware`).
 */
export const MIDDLEWARE_REJECTION_SPAN = "middleware_rejection";

/** The `span_name` of the log entry of an event delivery given up for good (dead-lettered). */
export const DEAD_LETTER_SPAN = "dead_letter";

/** A handler call as {@linkcode invokeHandler} takes it. */
export interface HandlerCall {
  handler: HandlerRef;
  input: InvocationInput;
  trace: ActiveTrace;
  stepName?: string;
  /** Joins a runtime sequence (see `Invocation.sequence`). */
  sequence?: string | undefined;
  /** The `Date.now()` the call starts at, when the caller read it. Default: now. */
  startedMs?: number;
}

/** Calls a handler and records it as a trace step named `stepName`.
 *
 * @param parts the runtime, telemetry and config
 * @param call the handler, its input, the trace and the step name
 * @returns the runtime's result (never rejects); without a promise when the runtime answered at
 * once (`HandlerRuntime.invokeNow`: an in-process handler that returned a value)
 */
export function invokeHandler(
  parts: EngineParts,
  call: HandlerCall,
): InvocationResult | Promise<InvocationResult> {
  const started = call.startedMs ?? Date.now();
  const startedAt = isoTime(started);
  let answer: InvocationResult | Promise<InvocationResult>;
  try {
    const invocation: Invocation = {
      handler: call.handler,
      input: call.input,
      traceId: call.trace.id,
      timeoutMs: parts.config.server.handler_timeout_ms,
    };
    if (call.sequence !== undefined) invocation.sequence = call.sequence;
    const runtime = parts.runtime;
    answer = runtime.invokeNow !== undefined
      ? runtime.invokeNow(invocation)
      : runtime.invoke(invocation);
  } catch (error) {
    answer = brokenRuntime(error, Date.now() - started);
  }
  if (!(answer instanceof Promise)) return recordCall(parts, call, answer, startedAt);
  return answer.then(
    (result) => recordCall(parts, call, result, startedAt),
    (error) => recordCall(parts, call, brokenRuntime(error, Date.now() - started), startedAt),
  );
}

/** What follows every call: logs forwarded, a failure logged, the trace step and the metric. */
function recordCall(
  parts: EngineParts,
  call: HandlerCall,
  answer: InvocationResult,
  startedAt: string,
): InvocationResult {
  const { handler, trace } = call;
  let result = answer;
  if (result.ok && !handler.kind.startsWith("ws_")) result = unaddressedBroadcast(handler, result);
  if (result.effects.length > 0) forwardLogs(parts, handler, trace.id, result);
  // A call its runtime abandoned before it started (its sequence ended) did not fail: it runs again.
  if (!result.ok && result.error.name !== "CallAbandonedError") {
    logFailure(parts, { handler, input: call.input, traceId: trace.id }, result);
  }
  trace.addStep(handlerStep(call.stepName ?? handler.name, handler.name, result, startedAt));
  parts.telemetry.metric({
    name: "handler_duration_ms",
    kind: "histogram",
    value: result.durationMs,
    labels: metricLabels(handler, result.ok),
    timestamp: startedAt,
  });
  return result;
}

/**
 * A broadcast without an endpoint from a handler that has none (a runtime that does not refuse it at
 * the call, such as a Python state generated before `to` existed) fails the call: never dropped.
 */
function unaddressedBroadcast(handler: HandlerRef, result: InvocationResult): InvocationResult {
  const missing = result.effects.some((e) => e.kind === "broadcast" && e.to === undefined);
  if (!missing) return result;
  const error = new BroadcastTargetError(missingBroadcastTarget(handler.name));
  return {
    ok: false,
    reason: "error",
    error: { name: error.name, message: error.message },
    effects: result.effects.filter((e) => e.kind === "log"),
    durationMs: result.durationMs,
  };
}

/** The runtime contract says invoke never rejects; a broken runtime must still not crash us. */
function brokenRuntime(error: unknown, durationMs: number): InvocationResult {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    ok: false,
    reason: "error",
    error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) },
    effects: [],
    durationMs,
  };
}

/** The trace step of one handler call (one object of one shape, whether it failed or not). */
function handlerStep(
  name: string,
  handler: string,
  result: InvocationResult,
  timestamp: string,
): TraceStep {
  const step: TraceStep = {
    name,
    path: handler,
    bucket: handler,
    handler_name: handler,
    duration_ms: result.durationMs,
    success: result.ok,
    timestamp,
  };
  if (!result.ok) step.error = result.error.message;
  return step;
}

/** The two label sets of a handler's duration metric, made once per handler reference. */
const labelsOf = new WeakMap<
  HandlerRef,
  { ok: Record<string, string>; failed: Record<string, string> }
>();

function metricLabels(handler: HandlerRef, ok: boolean): Record<string, string> {
  let labels = labelsOf.get(handler);
  if (labels === undefined) {
    const base = { handler: handler.name, kind: handler.kind };
    // Frozen: the metrics registry then finds their series by identity, with no key text.
    labels = {
      ok: Object.freeze({ ...base, ok: "true" }),
      failed: Object.freeze({ ...base, ok: "false" }),
    };
    labelsOf.set(handler, labels);
  }
  return ok ? labels.ok : labels.failed;
}

function forwardLogs(
  parts: EngineParts,
  handler: HandlerRef,
  traceId: string,
  result: InvocationResult,
): void {
  for (const effect of result.effects) {
    if (effect.kind !== "log") continue;
    parts.telemetry.log({
      timestamp: effect.at,
      level: effect.level,
      target: `handler:${handler.name}`,
      message: effect.message,
      fields: stringFields(effect.fields),
      trace_id: traceId,
      handler: handler.name,
      span_name: "handler_log",
      span_fields: { handler: handler.name },
    });
  }
}

/**
 * The log entry of a failed call (`span_name` {@linkcode HANDLER_FAILURE_SPAN}): what the terminal
 * prints with the stack and a link to the trace, and what the workbench lists.
 */
function logFailure(
  parts: EngineParts,
  call: { handler: HandlerRef; input: InvocationInput; traceId: string },
  result: Extract<InvocationResult, { ok: false }>,
): void {
  const { handler, traceId } = call;
  const { error } = result;
  if (handler.kind === "middleware" && typeof error.status === "number" && error.status < 500) {
    return logRejection(parts, { handler, traceId, status: error.status, message: error.message });
  }
  // An HttpError below 500 is the handler answering a client, not a failure of the engine.
  const level = typeof error.status === "number" && error.status < 500 ? "info" : "error";
  const fields: Record<string, string> = {
    kind: handler.kind,
    reason: result.reason,
    error: error.name,
    message: error.message,
  };
  if (error.stack !== undefined) fields.stack = error.stack;
  if (typeof error.status === "number") fields.status = String(error.status);
  if (call.input.kind === "event") fields.attempt = String(call.input.event.attempt);
  if (call.input.kind === "event_batch") fields.batch_size = String(call.input.events.length);
  parts.telemetry.log({
    timestamp: new Date().toISOString(),
    level,
    target: "rohas::engine",
    message: `Handler "${handler.name}" failed (${result.reason}): ${error.message}`,
    fields,
    trace_id: traceId,
    handler: handler.name,
    span_name: HANDLER_FAILURE_SPAN,
    span_fields: {},
  });
}

/**
 * A middleware turning a request away is the guard doing its job, not a handler failure: a warning
 * naming the middleware and the status, so a run of 401s stands out without paging anyone.
 */
function logRejection(
  parts: EngineParts,
  rejection: { handler: HandlerRef; traceId: string; status: number; message: string },
): void {
  const { handler, status, message } = rejection;
  parts.telemetry.log({
    timestamp: new Date().toISOString(),
    level: "warn",
    target: "rohas::engine",
    message: `Middleware "${handler.name}" rejected the request with ${status}: ${message}`,
    fields: { middleware: handler.name, status: String(status), message },
    trace_id: rejection.traceId,
    handler: handler.name,
    span_name: MIDDLEWARE_REJECTION_SPAN,
    span_fields: {},
  });
}

function stringFields(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields ?? {})) {
    out[k] = typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
  }
  return out;
}

/** Records the events a step published as a synthetic trace step.
 *
 * @param trace the trace
 * @param name the step name, like `CreateUser triggers`
 * @param events what was published
 */
export function addTriggersStep(
  trace: ActiveTrace,
  name: string,
  events: TriggeredEventRecord[],
): void {
  if (events.length === 0) return;
  const duration = events.reduce((sum, e) => sum + e.duration_ms, 0);
  trace.addStep({
    name,
    path: name,
    bucket: name,
    handler_name: name,
    duration_ms: duration,
    success: true,
    timestamp: events[0]!.timestamp,
    triggered_events: events,
  });
}
