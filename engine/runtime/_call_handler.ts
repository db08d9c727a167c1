/**
 * Calls one handler export of an already imported module: picks the export, builds the handler state
 * that records effects, passes the arguments its kind expects, and turns the outcome into an
 * {@linkcode InvocationResult}. Shared by the Worker entry and the in-process runtime.
 *
 * @module
 */

import type {
  Effect,
  HandlerOutput,
  HandlerRef,
  InvocationInput,
  InvocationResult,
  LogLevel,
} from "./contract.ts";
import { HandlerNotFoundError } from "./errors.ts";
import { jsonOutput, serializeError, toJsonValue } from "./protocol.ts";

/** One call: which handler, with what input, under which trace. */
export interface HandlerCall {
  handler: HandlerRef;
  input: InvocationInput;
  traceId: string;
}

type LogFn = (message: string, fields?: Record<string, unknown>) => void;

/** The state object a TypeScript handler receives (contracts.md, `src/generated/state.ts`). */
export interface HandlerState {
  readonly logger: Record<"info" | "error" | "warn" | "warning" | "debug" | "trace", LogFn>;
  readonly traceId: string;
  readonly handlerName: string;
  triggerEvent(event: string, payload: unknown): void;
  setPayload(event: string, payload: unknown): void;
  send(connectionId: string, message: unknown): void;
  broadcast(message: unknown): void;
}

type HandlerFunction = (...args: unknown[]) => unknown;

/**
 * Runs `call` against `namespace` (the handler module's exports). Never throws.
 *
 * @param namespace the imported module
 * @param call the handler reference, input and trace id
 * @returns the result; `not_found` when no candidate export is a function
 */
export async function callHandler(
  namespace: Record<string, unknown>,
  call: HandlerCall,
): Promise<InvocationResult> {
  const started = performance.now();
  const effects: Effect[] = [];
  const fn = pickExport(namespace, call.handler.exports);
  if (fn === undefined) {
    const error = new HandlerNotFoundError(missingExportMessage(call.handler));
    return failed("not_found", error, effects, started);
  }
  const state = createState(call, effects);
  try {
    const returned = await fn(...handlerArguments(call.input, state));
    const output = await toOutput(returned);
    return { ok: true, output, effects, durationMs: performance.now() - started };
  } catch (thrown) {
    return failed("error", thrown, effects, started);
  }
}

/** The failure result of a call that threw `thrown`. */
export function failed(
  reason: "error" | "timeout" | "not_found" | "permission",
  thrown: unknown,
  effects: Effect[],
  started: number,
): InvocationResult {
  const error = serializeError(thrown);
  return { ok: false, reason, error, effects, durationMs: performance.now() - started };
}

function pickExport(
  namespace: Record<string, unknown>,
  candidates: readonly string[],
): HandlerFunction | undefined {
  for (const name of candidates) {
    const value = namespace[name];
    if (typeof value === "function") return value as HandlerFunction;
  }
  return undefined;
}

function missingExportMessage(handler: HandlerRef): string {
  const tried = handler.exports.map((name) => `"${name}"`).join(", ");
  return `Handler "${handler.name}" not found: "${handler.file}" exports no function named ${tried}`;
}

function handlerArguments(input: InvocationInput, state: HandlerState): unknown[] {
  switch (input.kind) {
    case "api":
      return [input.request, state];
    case "event":
      return [input.event, state];
    case "cron":
      return [state];
    case "ws_connect":
    case "ws_disconnect":
      return [input.connection, state];
    case "ws_message":
      return [input.message, input.connection, state];
    case "middleware":
      return [input.context, state];
  }
}

async function toOutput(returned: unknown): Promise<HandlerOutput> {
  if (returned instanceof Response) {
    const body = new Uint8Array(await returned.arrayBuffer());
    return { kind: "response", status: returned.status, headers: [...returned.headers], body };
  }
  return jsonOutput(JSON.stringify(returned) ?? "null");
}

/**
 * The state object of one call; every method appends an {@linkcode Effect} to `effects` in call
 * order (payloads are snapshotted as JSON at the time of the call).
 */
export function createState(call: HandlerCall, effects: Effect[]): HandlerState {
  let logger: HandlerState["logger"] | undefined;
  return {
    // Built on first use: most calls never log, and six closures per call show up in profiles.
    get logger() {
      return logger ??= createLogger(effects);
    },
    traceId: call.traceId,
    handlerName: call.handler.name,
    triggerEvent(event, payload) {
      effects.push({ kind: "trigger", event, payload: toJsonValue(payload) });
    },
    setPayload(event, payload) {
      effects.push({ kind: "set_payload", event, payload: toJsonValue(payload) });
    },
    send(connectionId, message) {
      effects.push({ kind: "send", connectionId, message: toJsonValue(message) });
    },
    broadcast(message) {
      effects.push({ kind: "broadcast", message: toJsonValue(message) });
    },
  };
}

function createLogger(effects: Effect[]): HandlerState["logger"] {
  const log = (level: LogLevel): LogFn => (message, fields) => {
    const recorded = fields === undefined ? {} : toJsonValue(fields) as Record<string, unknown>;
    const at = new Date().toISOString();
    effects.push({ kind: "log", level, message: String(message), fields: recorded, at });
  };
  return {
    info: log("info"),
    error: log("error"),
    warn: log("warn"),
    warning: log("warn"),
    debug: log("debug"),
    trace: log("trace"),
  };
}
