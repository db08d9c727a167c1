/**
 * The results of Python handler calls: from the host's reply, or made here when the call timed out
 * or never reached the host.
 *
 * @module
 */

import type { Invocation, InvocationResult, SerializedError } from "../contract.ts";
import { jsonOutput } from "../protocol.ts";
import type { Reply } from "./_protocol.ts";

/** What a handler call's reply becomes. */
export function toResult(reply: Reply, durationMs: number): InvocationResult {
  if (reply.ok) {
    return {
      ok: true,
      output: reply.json === undefined
        ? { kind: "json", value: reply.output ?? null }
        : jsonOutput(reply.json),
      effects: reply.effects ?? [],
      durationMs,
    };
  }
  return {
    ok: false,
    reason: reply.reason ?? "error",
    error: reply.error,
    effects: reply.effects ?? [],
    durationMs,
  };
}

/** A handler call past its deadline. */
export function timeoutResult(invocation: Invocation, started: number): InvocationResult {
  const { name, file } = invocation.handler;
  return {
    ok: false,
    reason: "timeout",
    error: {
      name: "TimeoutError",
      message: `Handler "${name}" timed out after ${invocation.timeoutMs} ms: ${file}`,
    },
    effects: [],
    durationMs: performance.now() - started,
  };
}

/** An error as a call's result carries it. */
export function serialize(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

/** The error of a call made or in flight when the runtime closes. */
export function closedError(): SerializedError {
  return { name: "PythonRuntimeError", message: "The Python runtime is closed" };
}

/** A handler call that failed before it reached the handler. */
export function failed(error: SerializedError, started: number): InvocationResult {
  return {
    ok: false,
    reason: "error",
    error,
    effects: [],
    durationMs: performance.now() - started,
  };
}
