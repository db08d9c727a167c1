/**
 * The contract between the engine and a handler runtime (TypeScript Workers, the in-process
 * TypeScript runtime, the Python FFI runtime). The engine resolves every handler at build time into a
 * {@linkcode HandlerRef}, then calls {@linkcode HandlerRuntime.invoke} with plain JSON-compatible data.
 *
 * @module
 */

import type { PayloadCheck } from "../events/payload_check.ts";
import type { LogLevel } from "../../telemetry/mod.ts";

/** Every kind of handler a schema declares. */
export type HandlerKind =
  | "api"
  | "event"
  | "cron"
  | "ws_connect"
  | "ws_message"
  | "ws_disconnect"
  | "middleware";

/** The language a handler file is written in, from its extension. */
export type HandlerLanguage = "typescript" | "python";

/** A handler resolved at build time: which file, which export to call. */
export interface HandlerRef {
  /** What the handler serves; decides the shape of its {@linkcode InvocationInput}. */
  kind: HandlerKind;
  /** The schema name: API name, event handler entry, cron name, ws handler entry, middleware name. */
  name: string;
  /** The schema definition it belongs to (API, event, cron or ws name; for middlewares the user). */
  owner: string;
  /** Which runtime calls it, from the handler file's extension. */
  language: HandlerLanguage;
  /** Absolute path of the handler file. */
  file: string;
  /** Export names to try, in order (e.g. `handleCreateUser`, then `default`). */
  exports: string[];
  /** Permission profile name for TypeScript Workers (`default` or the handler's override key). */
  profile: string;
}

/**
 * What a handler receives, by kind (docs/design.md#d4-typescript-handler-contracts and
 * docs/design.md#d5-python-handler-contracts). All values are JSON-compatible.
 * - api: `request` = `{ ...pathParams, body?, queryParams, headers }`
 * - event: `event` = `{ payload, timestamp, id, attempt }`
 * - event_batch (an event handler with `batch:`): `events` = an array of those, in delivery order
 * - cron: nothing but state
 * - ws_connect / ws_disconnect: `connection` = `{ connectionId, path, connectedAt }`
 * - ws_message: `message` = `{ data, timestamp }` and `connection`
 * - middleware: `context` = `{ payload, queryParams, headers, apiName?, websocketName?, traceId }`
 */
export type InvocationInput =
  | { kind: "api"; request: Record<string, unknown> }
  | { kind: "event"; event: EventInput }
  | { kind: "event_batch"; events: EventInput[] }
  | { kind: "cron" }
  | { kind: "ws_connect"; connection: ConnectionInfo }
  | {
    kind: "ws_message";
    message: { data: unknown; timestamp: string };
    connection: ConnectionInfo;
  }
  | { kind: "ws_disconnect"; connection: ConnectionInfo }
  | { kind: "middleware"; context: MiddlewareContext };

/** The event object an event handler receives. */
export interface EventInput {
  /** The payload as it was published. */
  payload: unknown;
  /** When the event was published, ISO 8601. */
  timestamp: string;
  /** The event's id; the same across redeliveries of one event. */
  id: string;
  /** Delivery attempt, 1 for the first delivery, counting up on each retry. */
  attempt: number;
}

/** A WebSocket connection as handlers see it. `connectedAt` is ISO 8601. */
export interface ConnectionInfo {
  /** The id the engine gave the connection; `state.send` addresses it. */
  connectionId: string;
  /** The request path the WebSocket was opened on. */
  path: string;
  /** When the connection was accepted, ISO 8601. */
  connectedAt: string;
}

/** What a middleware receives and may return modified. */
export interface MiddlewareContext {
  /** The request body or WebSocket message; a middleware may return it changed. */
  payload: unknown;
  /** Query parameters; a parameter given more than once is an array. */
  queryParams: Record<string, string | string[]>;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
  /** The API being called; absent for WebSocket middlewares. */
  apiName?: string;
  /** The WebSocket definition being called; absent for API middlewares. */
  websocketName?: string;
  /** The trace id of the request or message. */
  traceId: string;
}

/** One call of a handler. */
export interface Invocation {
  /** The handler to call. */
  handler: HandlerRef;
  /** What the handler receives; its `kind` matches `handler.kind`. */
  input: InvocationInput;
  /** The trace the call belongs to; handler logs and triggered events carry it. */
  traceId: string;
  /**
   * Milliseconds before the call is abandoned with a `timeout` failure. An `event` call (which the
   * bus retries) is stopped before its failure is reported where the runtime can stop it: the
   * Worker runtime terminates and replaces its Worker, so a retry never runs beside the attempt it
   * replaces. The in-process runtime cannot stop code running in its own isolate: it only drops
   * what the call asks afterwards (its triggers, sends and logs); the Python runtime cancels an
   * async handler at its next `await` but cannot stop a sync one, which keeps running on its
   * executor thread (see their modules).
   */
  timeoutMs: number;
  /**
   * Calls sharing a sequence start one after another in the order `invoke` was called, each once
   * the one before it settled, so a caller can have several in flight and still have them handled
   * in order; each call's timeout counts from its own start. Only for a runtime whose
   * {@linkcode HandlerRuntime.sequences} says it keeps it for the handler. Default: none.
   */
  sequence?: string;
}

/** Side effects a handler asked for through its state, in call order. */
export type Effect =
  /** `at` (milliseconds since the epoch) delays the publish; `key` names it for `cancel_event`. */
  | { kind: "trigger"; event: string; payload: unknown; at?: number; key?: string }
  /** Cancels the delayed event `event` with key `key`, if it still waits. */
  | { kind: "cancel_event"; event: string; key: string }
  | { kind: "set_payload"; event: string; payload: unknown }
  | { kind: "send"; connectionId: string; message: unknown }
  /**
   * To every connection of endpoint `to` on every instance; without `to`, of the WebSocket endpoint
   * whose handler asked (only WebSocket handlers may leave it out).
   */
  | { kind: "broadcast"; message: unknown; to?: string }
  | { kind: "log"; level: LogLevel; message: string; fields: Record<string, unknown>; at: string };

// The engine depends on telemetry, never the other way round: the level is telemetry's.
export type { LogLevel };

/** An error as it crosses the runtime boundary: name, message, cause and stack are kept. */
export interface SerializedError {
  /** The error class name, such as `TypeError` or `HttpError`. */
  name: string;
  /** The error message. */
  message: string;
  /** The stack trace, when the thrown value had one. */
  stack?: string;
  /** The error's `cause`, when it was an error too. */
  cause?: SerializedError;
  /** Set by `HttpError(status, message)`. */
  status?: number;
  /** Extra JSON the client should see (`HttpError` details). */
  details?: unknown;
  /** The module a Python `ModuleNotFoundError` could not find, such as `pydantic`. */
  module?: string;
}

/**
 * The value a handler returned. `json` is the return value as JSON data; `response` is a full
 * response when a TypeScript handler returned a web `Response`.
 */
export type HandlerOutput =
  | {
    kind: "json";
    value: unknown;
    /**
     * The same value as JSON text when the runtime has it (the TypeScript runtimes always do):
     * write it as the response body instead of `JSON.stringify(value)`. Reading `value` may parse it.
     */
    json?: string;
  }
  | { kind: "response"; status: number; headers: [string, string][]; body: Uint8Array };

/** How a call ended. Failures say why: the handler threw, it timed out, or it could not be loaded. */
export type InvocationResult =
  | { ok: true; output: HandlerOutput; effects: Effect[]; durationMs: number }
  | {
    ok: false;
    reason: "error" | "timeout" | "not_found" | "permission";
    error: SerializedError;
    effects: Effect[];
    durationMs: number;
  };

/** A runtime that can run handlers of one or more languages. */
export interface HandlerRuntime {
  /** Runs one handler call; never rejects: failures come back as `{ ok: false }`. */
  invoke(invocation: Invocation): Promise<InvocationResult>;
  /**
   * Optional: runs one call like {@linkcode HandlerRuntime.invoke}, but answers a call that finished
   * at once (an in-process handler that returned a value) without a promise, so the caller goes on
   * in the same turn. Never throws.
   */
  invokeNow?(invocation: Invocation): InvocationResult | Promise<InvocationResult>;
  /** Loads (or reloads after an edit) a handler module; reports a load error without throwing. */
  reload(file: string): Promise<SerializedError | null>;
  /**
   * Whether calls of `handler` sharing an {@linkcode Invocation.sequence} run in order here. Absent
   * or false: a caller that needs order keeps one call in flight.
   */
  sequences?(handler: HandlerRef): boolean;
  /**
   * Ends a sequence: its calls that have not started resolve with a failure named
   * `CallAbandonedError` instead of running (a closing subscription hands their deliveries back).
   * Calls made afterwards start a new sequence.
   */
  endSequence?(sequence: string): void;
  /**
   * Optional: a module the handler files `files` import changed. Runtimes whose modules cannot be
   * swapped one by one start fresh isolates (new code, new module state) and retire the old ones
   * after their calls; the old ones keep serving when a module fails to load.
   *
   * @param files absolute paths of the handler files depending on the changed module
   * @returns the load error, if any
   */
  renew?(files: readonly string[]): Promise<SerializedError | null>;
  /** Finishes in-flight calls (up to the deadline) and releases workers and interpreters. */
  close(): Promise<void>;
  /**
   * Optional: lets `state.triggerEvent` and `state.setPayload` refuse a payload that does not
   * match its event's type at the call, so the handler sees the error where it made it (the event
   * bus still checks every publish). The engine calls it at start and on each schema swap.
   *
   * @param payloads the check, and each event's payload type (for runtimes that check elsewhere)
   */
  checkPayloads?(payloads: RuntimePayloads): void;
}

/** What a runtime needs to check payloads at the call (see {@linkcode HandlerRuntime.checkPayloads}). */
export interface RuntimePayloads {
  /** Each event's payload type, by event name. */
  events: Readonly<Record<string, string>>;
  /** The check itself, for runtimes in this isolate. */
  check: PayloadCheck;
}
