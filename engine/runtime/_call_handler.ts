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
import { isoTime } from "../../telemetry/iso_time.ts";
import { BroadcastTargetError, HandlerNotFoundError, missingBroadcastTarget } from "./errors.ts";
import { type Kv, StateError } from "../../state/mod.ts";
import { jsonOutput, serializeError, toJsonValue } from "./protocol.ts";
import type { PayloadCheck } from "../events/payload_check.ts";
import { InvalidEventPayloadError } from "../events/errors.ts";
import { cancelKey, type TriggerOptions, triggerTiming } from "./trigger_options.ts";

/** One call: which handler, with what input, under which trace. */
export interface HandlerCall {
  handler: HandlerRef;
  input: InvocationInput;
  traceId: string;
}

/** Options of {@linkcode callHandler}. */
export interface CallHandlerOptions {
  /** The `performance.now()` the call's duration counts from. Default: now. */
  started?: number;
  /** What `state.kv` is (one store per runtime, not per call). Default: none (it throws). */
  kv?: Kv | undefined;
  /** Refuses a wrong-shaped `triggerEvent` / `setPayload` payload at the call. Default none. */
  check?: PayloadCheck | undefined;
}

type LogFn = (message: string, fields?: Record<string, unknown>) => void;

type LogLevelMethod = "info" | "error" | "warn" | "warning" | "debug" | "trace";

/** The state object a TypeScript handler receives (docs/design.md#d4-typescript-handler-contracts,
 * `src/generated/state.ts`). */
export interface HandlerState {
  readonly logger: Record<LogLevelMethod, LogFn>;
  readonly traceId: string;
  readonly handlerName: string;
  /** The shared store (state/kv.ts): every isolate, process and instance sees the same entries. */
  readonly kv: Kv;
  triggerEvent(event: string, payload: unknown, options?: TriggerOptions): void;
  cancelEvent(event: string, key: string): void;
  setPayload(event: string, payload: unknown): void;
  send(connectionId: string, message: unknown): void;
  broadcast(message: unknown, options?: BroadcastOptions): void;
}

/** Options of `state.broadcast`. */
export interface BroadcastOptions {
  /** The WebSocket endpoint; required outside WebSocket handlers. Default: the handler's own. */
  to?: string;
}

type HandlerFunction = (...args: unknown[]) => unknown;

/**
 * Runs `call` against `namespace` (the handler module's exports). Never throws. A handler that
 * answers synchronously gets its result synchronously: no Promise, no await on the hot path.
 *
 * @param namespace the imported module
 * @param call the handler reference, input and trace id
 * @param options when the call started, if the caller knows
 * @returns the result, or a promise of it when the handler returned one (or a `Response`);
 * `not_found` when no candidate export is a function
 */
export function callHandler(
  namespace: Record<string, unknown>,
  call: HandlerCall,
  options?: CallHandlerOptions,
): InvocationResult | Promise<InvocationResult> {
  const started = options?.started ?? performance.now();
  const fn = pickExport(namespace, call.handler.exports);
  if (fn === undefined) {
    const error = new HandlerNotFoundError(missingExportMessage(call.handler));
    return failed("not_found", error, [], started);
  }
  const state = new CallState(call, options);
  let returned: unknown;
  try {
    returned = apply(fn, call.input, state);
  } catch (thrown) {
    return failed("error", thrown, state.effects, started);
  }
  if (isThenable(returned)) return settle(returned, state, started);
  return finish(returned, state, started);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" &&
    typeof (value as { then?: unknown }).then === "function";
}

async function settle(
  returned: PromiseLike<unknown>,
  state: CallState,
  started: number,
): Promise<InvocationResult> {
  let value: unknown;
  try {
    value = await returned;
  } catch (thrown) {
    return failed("error", thrown, state.effects, started);
  }
  return finish(value, state, started);
}

/** The result of a handler that returned `returned` (a `Response` is read, so that one is async). */
function finish(
  returned: unknown,
  state: CallState,
  started: number,
): InvocationResult | Promise<InvocationResult> {
  if (returned instanceof Response) return responseResult(returned, state, started);
  let json: string;
  try {
    json = JSON.stringify(returned) ?? "null";
  } catch (thrown) {
    return failed("error", thrown, state.effects, started);
  }
  const durationMs = performance.now() - started;
  return { ok: true, output: jsonOutput(json), effects: state.effects, durationMs };
}

async function responseResult(
  returned: Response,
  state: CallState,
  started: number,
): Promise<InvocationResult> {
  let body: Uint8Array;
  try {
    body = new Uint8Array(await returned.arrayBuffer());
  } catch (thrown) {
    return failed("error", thrown, state.effects, started);
  }
  const output: HandlerOutput = {
    kind: "response",
    status: returned.status,
    headers: [...returned.headers],
    body,
  };
  return { ok: true, output, effects: state.effects, durationMs: performance.now() - started };
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
  // Indexed: a `for...of` allocated an iterator on every call (measured).
  for (let i = 0; i < candidates.length; i++) {
    const value = namespace[candidates[i]!];
    if (typeof value === "function") return value as HandlerFunction;
  }
  return undefined;
}

function missingExportMessage(handler: HandlerRef): string {
  const tried = handler.exports.map((name) => `"${name}"`).join(", ");
  return `Handler "${handler.name}" not found: "${handler.file}" exports no function named ${tried}`;
}

/** Calls `fn` with the arguments its kind expects (no argument array, no spread). */
function apply(fn: HandlerFunction, input: InvocationInput, state: HandlerState): unknown {
  switch (input.kind) {
    case "api":
      return fn(input.request, state);
    case "event":
      return fn(input.event, state);
    case "event_batch":
      return fn(input.events, state);
    case "cron":
      return fn(state);
    case "ws_connect":
    case "ws_disconnect":
      return fn(input.connection, state);
    case "ws_message":
      return fn(input.message, input.connection, state);
    case "middleware":
      return fn(input.context, state);
  }
}

/**
 * The state object of one call; every method appends an {@linkcode Effect} to `effects` in call
 * order (payloads are snapshotted as JSON at the time of the call). A class with prototype methods: one object per call, not an object
 * literal with a getter and four closures (which V8 builds through a slow path).
 */
class CallState implements HandlerState {
  readonly traceId: string;
  readonly handlerName: string;
  readonly effects: Effect[];
  readonly #kv: Kv | undefined;
  readonly #check: PayloadCheck | undefined;
  readonly #kind: string;
  #logger: HandlerState["logger"] | undefined = undefined;

  constructor(call: HandlerCall, options: CallHandlerOptions | undefined) {
    this.traceId = call.traceId;
    this.handlerName = call.handler.name;
    this.effects = [];
    this.#kv = options?.kv;
    this.#check = options?.check;
    // Its kind, not whether it is a WebSocket handler: only `broadcast` asks that.
    this.#kind = call.handler.kind;
  }

  get kv(): Kv {
    if (this.#kv === undefined) {
      throw new StateError(
        `Cannot use state.kv in "${this.handlerName}": this runtime was started without a store`,
      );
    }
    return this.#kv;
  }

  /** Built on first use: most calls never log, and six closures per call show up in profiles. */
  get logger(): HandlerState["logger"] {
    return this.#logger ??= new CallLogger(this.effects);
  }

  triggerEvent(event: string, payload: unknown, options?: TriggerOptions): void {
    const json = toJsonValue(payload);
    this.#refuse(event, json, "state.triggerEvent");
    const timing = triggerTiming(event, options, Date.now());
    this.effects.push({ kind: "trigger", event, payload: json, ...timing });
  }

  cancelEvent(event: string, key: string): void {
    this.effects.push({ kind: "cancel_event", event, key: cancelKey(event, key) });
  }

  setPayload(event: string, payload: unknown): void {
    const json = toJsonValue(payload);
    this.#refuse(event, json, "state.setPayload");
    this.effects.push({ kind: "set_payload", event, payload: json });
  }

  /** Throws into the handler, at its call, what the bus would refuse after it returned. */
  #refuse(event: string, payload: unknown, how: string): void {
    const refusal = this.#check?.(event, payload === undefined ? null : payload);
    if (!refusal) return;
    throw InvalidEventPayloadError.ofPublish({
      event,
      payloadType: refusal.payloadType,
      details: refusal.issues,
      origin: `from ${how} of handler "${this.handlerName}"`,
    });
  }

  send(connectionId: string, message: unknown): void {
    this.effects.push({ kind: "send", connectionId, message: toJsonValue(message) });
  }

  broadcast(message: unknown, options?: BroadcastOptions): void {
    const to = options?.to;
    // A WebSocket handler's `broadcast` may leave out its endpoint.
    if (to === undefined && !this.#kind.startsWith("ws_")) {
      throw new BroadcastTargetError(missingBroadcastTarget(this.handlerName));
    }
    const json = toJsonValue(message);
    this.effects.push(
      to === undefined ? { kind: "broadcast", message: json } : {
        kind: "broadcast",
        message: json,
        to: String(to),
      },
    );
  }
}

/**
 * The logger of one call: each level's function is made on first use (most calls log at one level
 * or none; seven closures per call showed up in profiles), and stays a plain function, so a
 * handler may take `state.logger.info` away from the logger and call it alone.
 */
class CallLogger implements Record<LogLevelMethod, LogFn> {
  readonly #effects: Effect[];
  #fns: Partial<Record<LogLevel, LogFn>> = {};

  constructor(effects: Effect[]) {
    this.#effects = effects;
  }

  get info(): LogFn {
    return this.#fns.info ??= this.#make("info");
  }

  get error(): LogFn {
    return this.#fns.error ??= this.#make("error");
  }

  get warn(): LogFn {
    return this.#fns.warn ??= this.#make("warn");
  }

  get warning(): LogFn {
    return this.warn;
  }

  get debug(): LogFn {
    return this.#fns.debug ??= this.#make("debug");
  }

  get trace(): LogFn {
    return this.#fns.trace ??= this.#make("trace");
  }

  #make(level: LogLevel): LogFn {
    const effects = this.#effects;
    return (message, fields) => {
      const recorded = fields === undefined ? {} : toJsonValue(fields) as Record<string, unknown>;
      effects.push({
        kind: "log",
        level,
        message: String(message),
        fields: recorded,
        at: isoTime(),
      });
    };
  }
}
