/**
 * `generated/state.ts`: the handler state interface
 * (docs/design.md#d4-typescript-handler-contracts), narrowed to the schema's events, the middleware
 * context, and the two error classes the runtime recognises by `name`.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { SchemaIndex } from "./_schema_index.ts";
import { TsModule } from "./_ts_module.ts";

/** The text of `generated/state.ts`.
 *
 * @param schema the parsed schema
 * @param index its type index
 * @returns the module source
 */
export function tsStateModule(schema: Schema, index: SchemaIndex): string {
  const m = new TsModule("", index, { declared: [...TS_STATE_EXPORTS] });
  const events = [...schema.events].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const payloads = events.map((e) => [e.name, e.payload === "" ? "unknown" : m.named(e.payload)]);
  m.out.line("/** Every event of the schema. */");
  const union = events.map((e) => JSON.stringify(e.name)).join(" | ");
  m.out.line(`export type EventName = ${union === "" ? "never" : union};`).line();
  m.out.line("/** The payload type of each event. */");
  m.out.block("export interface EventPayloads {", () => {
    for (const [name, type] of payloads) m.out.line(`${name}: ${type};`);
  }, "}");
  m.out.line();
  const sockets = schema.websockets.map((w) => w.name).sort();
  m.out.line("/** Every WebSocket endpoint of the schema (what `state.broadcast` may name). */");
  const socketUnion = sockets.map((n) => JSON.stringify(n)).join(" | ");
  m.out.line(`export type SocketName = ${socketUnion === "" ? "never" : socketUnion};`).line();
  m.out.lines(STATIC.split("\n"));
  return m.render();
}

/** The names `generated/state.ts` exports. */
export const TS_STATE_EXPORTS: readonly string[] = [
  "EventName",
  "EventPayloads",
  "SocketName",
  "Logger",
  "BroadcastOptions",
  "TriggerOptions",
  "State",
  "SocketState",
  "MiddlewareContext",
  "MiddlewareResult",
  "MiddlewareHandler",
  "HttpError",
  "NonRetriableError",
  "Kv",
  "KvKey",
  "KvEntry",
  "KvEntryMaybe",
  "KvAtomic",
  "KvCommitResult",
];

const STATIC =
  `/** Structured logging into the engine's log store, tagged with the handler and trace. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /** The same as \`warn\`. */
  warning(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  trace(message: string, fields?: Record<string, unknown>): void;
}

/** Where \`state.broadcast\` sends: every connection of endpoint \`to\`, on every instance. */
export interface BroadcastOptions {
  to: SocketName;
}

/**
 * When \`state.triggerEvent\` publishes: \`delay\` milliseconds after the handler succeeds, or \`at\` a
 * time (a \`Date\`, an ISO 8601 string or milliseconds since the epoch); not both. A delayed event is
 * kept in \`state.kv\` until due, survives restarts and is published once across instances. \`key\`
 * names it for \`state.cancelEvent\`; while one waits, a second with the same event and key is
 * ignored (the first is kept).
 */
export interface TriggerOptions {
  delay?: number;
  at?: Date | string | number;
  key?: string;
}

/** A key of \`state.kv\`: strings and numbers, like \`["tasks", 42]\`. */
export type KvKey = readonly (string | number)[];

/** A stored entry of \`state.kv\`. */
export interface KvEntry<T> {
  key: KvKey;
  value: T;
  /** Grows with every commit of the store; what an atomic check compares. */
  versionstamp: string;
}

/** What \`state.kv.get\` returns: the entry, or null value and versionstamp when absent. */
export type KvEntryMaybe<T> = KvEntry<T> | { key: KvKey; value: null; versionstamp: null };

/** The outcome of a commit: \`ok: false\` when a check failed (nothing was written). */
export type KvCommitResult = { ok: true; versionstamp: string } | { ok: false };

/** An atomic operation: checks, then writes, all or nothing. */
export interface KvAtomic {
  check(...checks: { key: KvKey; versionstamp: string | null }[]): KvAtomic;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): KvAtomic;
  delete(key: KvKey): KvAtomic;
  commit(): Promise<KvCommitResult>;
}

/**
 * \`state.kv\`: one store shared by every Worker, edge process and instance of the app, shaped like
 * Deno KV (the same interface as the \`Kv\` the package exports). Module variables live per
 * isolate; what every handler must see goes here. Values are JSON. A failed operation throws an
 * error whose \`name\` says why (\`KvInputError\`, \`KvUnsupportedError\`, \`StateError\`).
 */
export interface Kv {
  /** The \`[state] type\` serving it (\`remote\` when another process owns the store). */
  readonly type: string;
  get<T = unknown>(key: KvKey): Promise<KvEntryMaybe<T>>;
  set(
    key: KvKey,
    value: unknown,
    options?: { expireIn?: number },
  ): Promise<{ ok: true; versionstamp: string }>;
  delete(key: KvKey): Promise<void>;
  /** Entries whose key starts with \`prefix\` (the prefix itself excluded), in key order. */
  list<T = unknown>(
    selector: { prefix: KvKey },
    options?: { limit?: number; reverse?: boolean },
  ): AsyncIterableIterator<KvEntry<T>>;
  atomic(): KvAtomic;
}

/** What a handler can do besides returning a value. Effects apply when the handler succeeds. */
export interface State {
  readonly logger: Logger;
  /** The store every handler of the app shares (see {@linkcode Kv}). */
  readonly kv: Kv;
  /** The trace id of this call; events published by the handler carry it as their parent. */
  readonly traceId: string;
  /** The handler's schema name. */
  readonly handlerName: string;
  /**
   * Publishes an event after the handler succeeds, in call order; later with \`{ delay }\` or
   * \`{ at }\` (see {@linkcode TriggerOptions}).
   */
  triggerEvent<E extends EventName>(
    event: E,
    payload: EventPayloads[E],
    options?: TriggerOptions,
  ): void;
  /** Cancels the delayed \`event\` triggered with \`key\`, if it still waits (after the handler succeeds). */
  cancelEvent(event: EventName, key: string): void;
  /** Sets the payload of an event listed in the source's \`triggers:\`; the last call wins. */
  setPayload<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  /** Sends a message to one WebSocket connection, on whichever instance holds it. */
  send(connectionId: string, message: unknown): void;
  /**
   * Sends a message to every connection of endpoint \`to\` on every instance:
   * \`state.broadcast(message, { to: "Chat" })\`.
   */
  broadcast(message: unknown, options: BroadcastOptions): void;
}

/** The state of a WebSocket handler: \`broadcast\` defaults to its own endpoint. */
export interface SocketState extends Omit<State, "broadcast"> {
  /** Sends a message to every connection of endpoint \`to\` (default: this one) on every instance. */
  broadcast(message: unknown, options?: Partial<BroadcastOptions>): void;
}

/** What a middleware receives. */
export interface MiddlewareContext {
  payload: unknown;
  queryParams: Record<string, string | string[]>;
  headers: Record<string, string>;
  apiName?: string;
  websocketName?: string;
  traceId: string;
}

/** Null or undefined lets the request pass; an object replaces the payload or query params. */
export type MiddlewareResult =
  | null
  | undefined
  | void
  | { payload?: unknown; queryParams?: Record<string, string | string[]> };

/** The signature of a middleware. */
export type MiddlewareHandler = (
  context: MiddlewareContext,
  state: State,
) => MiddlewareResult | Promise<MiddlewareResult>;

/** Throw it to answer with an HTTP status: \`throw new HttpError(404, "User not found")\`. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly details?: unknown;

  constructor(
    status: number,
    message: string,
    options?: { details?: unknown; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    if (options?.details !== undefined) this.details = options.details;
  }
}

/** Throw it from an event handler to dead-letter the event without retrying. */
export class NonRetriableError extends Error {
  override name = "NonRetriableError";
}`;
