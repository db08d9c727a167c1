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
  "State",
  "SocketState",
  "MiddlewareContext",
  "MiddlewareResult",
  "MiddlewareHandler",
  "HttpError",
  "NonRetriableError",
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

/** What a handler can do besides returning a value. Effects apply when the handler succeeds. */
export interface State {
  readonly logger: Logger;
  /** The trace id of this call; events published by the handler carry it as their parent. */
  readonly traceId: string;
  /** The handler's schema name. */
  readonly handlerName: string;
  /** Publishes an event after the handler succeeds, in call order. */
  triggerEvent<E extends EventName>(event: E, payload: EventPayloads[E]): void;
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
