/**
 * The engine <-> Worker protocol: every message that crosses a handler Worker's boundary, as tagged
 * unions with correlation ids. Several messages posted in one turn travel as one `batch` so that a
 * burst of calls costs one `postMessage` (one structured clone, one task on the other side).
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type {
  HandlerOutput,
  HandlerRef,
  InvocationInput,
  InvocationResult,
  SerializedError,
} from "./contract.ts";
import type { KvRequest, KvResponse } from "../../state/mod.ts";
import { copyJson } from "../../internal/json/mod.ts";
import type { DoneCalls, EventCalls } from "./_flat_calls.ts";

/**
 * Run one handler call. `handler` numbers a {@linkcode HandlerRef} per Worker; the reference itself
 * travels as `ref` with the first call only. `version` selects the module generation to import.
 */
export interface InvokeMessage {
  type: "invoke";
  id: number;
  handler: number;
  ref?: HandlerRef;
  version: number;
  input: InvocationInput;
  traceId: string;
  /** Calls with the same sequence start one after another, each once the previous settled. */
  sequence?: string;
  /**
   * The call's slot in the Worker's start marks ({@linkcode MarksMessage}): the Worker writes the
   * call's id there as it calls the handler. -1: no slot (the call counts as started).
   */
  slot: number;
}

/**
 * Sent once, first: shared memory where the Worker marks each call it starts, so that the engine
 * can tell, after killing a stuck Worker (which can post nothing), which calls never started and
 * can safely run elsewhere.
 */
export interface MarksMessage {
  type: "marks";
  id: number;
  marks: SharedArrayBuffer;
  /**
   * One Int32 the Worker sets to 1 and notifies as it unloads: a Worker that ends by itself
   * (`Deno.exit()` or `close()` in handler code) can post nothing more, and the engine, waiting on
   * it with `Atomics.waitAsync`, learns of it at once instead of at each call's timeout.
   */
  exit: SharedArrayBuffer;
}

/** Import (or re-import after an edit) the module of `file` at `version`. */
export interface LoadMessage {
  type: "load";
  id: number;
  file: string;
  version: number;
}

/** Asks whether the Worker's event loop still turns (a stuck Worker never answers). */
export interface PingMessage {
  type: "ping";
  id: number;
}

/** The engine's answer to a {@linkcode KvAskMessage}: the response, or the error it failed with. */
export interface KvAnswerMessage {
  type: "kv_answer";
  /** The id the Worker gave its {@linkcode KvAskMessage}. */
  id: number;
  response?: KvResponse;
  error?: SerializedError;
}

/**
 * The payload types of the events, so `state.triggerEvent` can refuse a wrong-shaped payload at
 * the call; the Worker checks with the project's generated validators (`validators`, imported at
 * `version`), and checks nothing where that file does not exist (the bus checks anyway).
 */
export interface PayloadsMessage {
  type: "payloads";
  id: number;
  /** Grows with each schema swap; the generated file is imported again at each. */
  version: number;
  /** Each event's payload type, by event name. */
  events: Record<string, string>;
  /** The absolute path of `src/generated/validators.ts`. */
  validators: string;
}

/** One message from the engine to a Worker. */
/**
 * Ends a sequence: its calls waiting in the Worker that have not started answer with a
 * `CallAbandonedError` instead of running (calls sent afterwards run as usual).
 */
export interface EndSequenceMessage {
  type: "end_sequence";
  id: number;
  sequence: string;
}

export type EngineMessage =
  | InvokeMessage
  | EndSequenceMessage
  | LoadMessage
  | PingMessage
  | MarksMessage
  | PayloadsMessage
  | KvAnswerMessage;

/**
 * A result as it crosses: a JSON output travels as its text only (a string is the cheapest thing to
 * clone), and the engine parses it lazily, if ever (see {@linkcode jsonOutput}).
 */
export type WireResult =
  | (Omit<Extract<InvocationResult, { ok: true }>, "output"> & { output: WireOutput })
  | Extract<InvocationResult, { ok: false }>;

/** A handler output on the wire. */
export type WireOutput =
  | { kind: "json"; json: string }
  | Extract<HandlerOutput, { kind: "response" }>;

/** The outcome of an {@linkcode InvokeMessage}. */
export interface ResultMessage {
  type: "result";
  id: number;
  result: WireResult;
}

/**
 * The outcome of an {@linkcode InvokeMessage} that succeeded with a JSON output and asked for no
 * effect, the common case, as one flat object: a structured clone costs per object, and a
 * {@linkcode ResultMessage} has four (1.9 against 0.8 µs a call to clone, measured).
 */
export interface DoneMessage {
  type: "done";
  id: number;
  /** The handler's return value as JSON text. */
  json: string;
  durationMs: number;
}

/** The outcome of a {@linkcode LoadMessage}: no `error` means the new version now serves. */
export interface LoadedMessage {
  type: "loaded";
  id: number;
  error?: SerializedError;
}

/** The answer to a {@linkcode PingMessage}. */
export interface PongMessage {
  type: "pong";
  id: number;
}

/**
 * A `state.kv` operation of handler code (the Worker holds no store: the engine owns it). Its `id`
 * is the Worker's own numbering, apart from the engine's call ids.
 */
export interface KvAskMessage {
  type: "kv";
  id: number;
  request: KvRequest;
}

/** One message from a Worker to the engine. */
export type WorkerMessage =
  | ResultMessage
  | DoneMessage
  | LoadedMessage
  | PongMessage
  | KvAskMessage;

/** Several messages posted in one turn. */
export interface Batch<M> {
  type: "batch";
  messages: M[];
}

/** What the engine posts to a Worker: runs of event calls packed (see `_flat_calls.ts`). */
export type ToWorker = EngineMessage | EventCalls | Batch<EngineMessage | EventCalls>;

/** What a Worker posts to the engine: runs of `done` answers packed (see `_flat_calls.ts`). */
export type FromWorker = WorkerMessage | Batch<WorkerMessage | DoneCalls>;

/** Unpacks a posted value into its messages, in order. */
export function unbatch<M extends { type: string }>(posted: M | Batch<M>): M[] {
  return posted.type === "batch" ? (posted as Batch<M>).messages : [posted as M];
}

/** Runs a callback later; decides how many messages an {@linkcode Outbox} batch collects. */
export type Scheduler = (flush: () => void) => void;

/**
 * Flushes after the current macrotask and the I/O that became ready with it (`setImmediate`).
 * Measured under `wrk` against `Deno.serve`: a microtask flush posts every call alone (each request
 * arrives in its own turn), `setTimeout(0)` adds milliseconds, and `setImmediate` collects the calls
 * of one event-loop iteration (about 18 per post at 32 connections) for twice the requests/s.
 */
export const afterIo: Scheduler = (flush) => setImmediate(flush);

/**
 * Collects messages and sends them as one `postMessage` when the scheduler runs the flush (a single
 * message travels as itself).
 */
export class Outbox<M> {
  #pending: M[] = [];
  readonly #post: (posted: M | Batch<M>) => void;
  readonly #schedule: Scheduler;
  readonly #flush = () => this.flush();

  /**
   * @param post sends one value (usually `worker.postMessage` or `self.postMessage`)
   * @param schedule when to flush after the first queued message; default {@linkcode afterIo}
   */
  constructor(post: (posted: M | Batch<M>) => void, schedule: Scheduler = afterIo) {
    this.#post = post;
    this.#schedule = schedule;
  }

  /** Queues a message; the first one of a batch schedules the flush. */
  send(message: M): void {
    if (this.#pending.push(message) === 1) this.#schedule(this.#flush);
  }

  /** Posts everything queued now. */
  flush(): void {
    const messages = this.#pending;
    if (messages.length === 0) return;
    this.#pending = [];
    this.#post(messages.length === 1 ? messages[0]! : { type: "batch", messages });
  }
}

/**
 * A JSON output from its text; `value` is parsed on first read and then kept.
 *
 * @param json the handler's return value as JSON text
 * @returns the output, with both `json` and `value`
 */
export function jsonOutput(json: string): HandlerOutput {
  return new JsonOutput(json);
}

/**
 * A class, not an object literal with a getter: V8 builds such a literal through a slow path that
 * costs 0.36 us per call (measured), a class instance 0.01 us.
 */
class JsonOutput {
  readonly kind = "json";
  readonly json: string;
  #parsed = false;
  #value: unknown = undefined;

  constructor(json: string) {
    this.json = json;
  }

  get value(): unknown {
    if (!this.#parsed) {
      this.#value = JSON.parse(this.json);
      this.#parsed = true;
    }
    return this.#value;
  }
}

/** The wire form of a result (drops the parsed `value` of a JSON output). */
export function toWire(result: InvocationResult): WireResult {
  if (!result.ok || result.output.kind !== "json") return result as WireResult;
  const json = result.output.json ?? JSON.stringify(result.output.value ?? null);
  return { ...result, output: { kind: "json", json } };
}

/**
 * The message that answers call `id` with `result`: a {@linkcode DoneMessage} where it can be one.
 *
 * @example
 * ```ts
 * import { jsonOutput, resultMessage } from "./protocol.ts";
 *
 * const result = { ok: true as const, output: jsonOutput("null"), effects: [], durationMs: 0.1 };
 * console.assert(resultMessage(7, result).type === "done");
 * ```
 *
 * @param id the call's id
 * @param result the call's outcome
 * @returns the message to post
 */
export function resultMessage(id: number, result: InvocationResult): ResultMessage | DoneMessage {
  if (!result.ok || result.output.kind !== "json" || result.effects.length > 0) {
    return { type: "result", id, result: toWire(result) };
  }
  const json = result.output.json ?? JSON.stringify(result.output.value ?? null);
  return { type: "done", id, json, durationMs: result.durationMs };
}

/** The result a {@linkcode DoneMessage} stands for. */
export function fromDone(message: DoneMessage): InvocationResult {
  return {
    ok: true,
    output: jsonOutput(message.json),
    effects: [],
    durationMs: message.durationMs,
  };
}

/** How a call id is stored in an `Int32Array` mark (ids grow past 2^31 in a long run). */
export function markOf(id: number): number {
  return id | 0;
}

/** A result from its wire form (the received object is completed in place: it is ours). */
export function fromWire(result: WireResult): InvocationResult {
  if (result.ok && result.output.kind === "json") {
    (result as { output: HandlerOutput }).output = jsonOutput(result.output.json);
  }
  return result as InvocationResult;
}

const MAX_CAUSE_DEPTH = 8;

/**
 * Turns anything thrown into a {@linkcode SerializedError}: name, message, stack, the `cause` chain,
 * and `status`/`details` of an `HttpError` (recognised by its name and a numeric `status`).
 *
 * @param thrown the thrown value (not necessarily an `Error`)
 * @returns plain data that survives structured clone and JSON
 */
export function serializeError(thrown: unknown): SerializedError {
  return serializeAt(thrown, 0);
}

function serializeAt(thrown: unknown, depth: number): SerializedError {
  if (!(thrown instanceof Error)) {
    return { name: "Error", message: describeThrown(thrown) };
  }
  const serialized: SerializedError = { name: thrown.name, message: thrown.message };
  if (thrown.stack !== undefined) serialized.stack = thrown.stack;
  const { status, details } = thrown as { status?: unknown; details?: unknown };
  if (thrown.name === "HttpError" && typeof status === "number") {
    serialized.status = status;
    if (details !== undefined) serialized.details = detailsAsJson(details);
  }
  if (thrown.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    serialized.cause = serializeAt(thrown.cause, depth + 1);
  }
  return serialized;
}

function detailsAsJson(details: unknown): unknown {
  try {
    return toJsonValue(details);
  } catch (error) {
    return `Unserializable details: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function describeThrown(thrown: unknown): string {
  if (typeof thrown === "string") return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

/**
 * A JSON-compatible snapshot of a value (`Date` becomes its ISO string, `undefined` becomes `null`),
 * so later mutation by the handler cannot change what was recorded.
 *
 * @param value any value a handler produced
 * @returns the value as it reads after `JSON.stringify` and `JSON.parse`
 */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  return copyJson(value);
}
