/**
 * The schema AST. Its JSON form is the original Rohas shape (snake_case keys), so a parsed schema
 * serialises exactly as the original's `/api/workbench/endpoints` and tests expect.
 *
 * Source positions are not part of the nodes (that would change the JSON shape); the parser records
 * them in a {@linkcode SchemaLocations} side table keyed by node object.
 *
 * @module
 */

/** A primitive field type name. `Bool` in source is normalised to `Boolean`. */
export type PrimitiveTypeName = "Int" | "String" | "Boolean" | "Float" | "DateTime" | "Json";

/** A field type: a primitive name, a custom (user-defined) name, or an array of a type. */
export type FieldType = PrimitiveTypeName | { Custom: string } | { Array: FieldType };

/** An attribute on a model field, such as `@default(now)`. Arguments are stored unquoted. */
export interface Attribute {
  /** The attribute name without `@`, such as `default`. */
  name: string;
  /** The arguments as written, quotes removed. */
  args: string[];
}

/** A field of a model, type or input. Input and type fields always have `attributes: []`. */
export interface Field {
  /** The field name. */
  name: string;
  /** The declared type. */
  field_type: FieldType;
  /** Whether the type was written with `?`. */
  optional: boolean;
  /** The `@` attributes of a model field, in order; always empty for types and inputs. */
  attributes: Attribute[];
}

/** `model Name { field Type? @attr ... }`. `attributes` is always empty (no block attributes). */
export interface Model {
  /** The model name. */
  name: string;
  /** The fields in declaration order. */
  fields: Field[];
  /** Block attributes; always empty (kept for the original's JSON shape). */
  attributes: Attribute[];
}

/** `type Name { field: Type }`: a response DTO. */
export interface TypeDef {
  /** The type name. */
  name: string;
  /** The fields in declaration order. */
  fields: Field[];
}

/** `input Name { field: Type }`: a request DTO. */
export interface Input {
  /** The input name. */
  name: string;
  /** The fields in declaration order. */
  fields: Field[];
}

/** The HTTP methods an `api` block may declare. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** An HTTP method an `api` block may declare. */
export type HttpMethod = typeof HTTP_METHODS[number];

/** `api Name { method: GET path: "/x/{id}" body: B response: R triggers: [..] middlewares: [..] }`. */
export interface Api {
  /** The API name; its handler file is the snake_case of it. */
  name: string;
  /** The HTTP method. */
  method: HttpMethod;
  /** The route as written, with `{id}` or `:id` parameters. */
  path: string;
  /** The request body type name, or null when the API takes none. */
  body: string | null;
  /** The response type name. */
  response: string;
  /** Events published after the handler succeeds. */
  triggers: string[];
  /** Middleware names, run in order, quotes removed. */
  middlewares: string[];
}

/** The adapter routing hint of an event (`type: sqs`), used by the AWS adapter. */
export type EventAdapterType = "sqs" | "eventbridge";

/** `event Name { payload: P handler: [..] triggers: [..] type: sqs }`. */
export interface Event {
  /** The event name (its topic). */
  name: string;
  /** The payload type name; `""` when the block declares none (validation reports it). */
  payload: string;
  /** The handler entries (`handler: [..]`), each a file under `src/handlers/events/`. */
  handlers: string[];
  /** Events published after a handler succeeds. */
  triggers: string[];
  /** Omitted from the JSON form when absent. */
  adapter_type?: EventAdapterType;
  /** Flow controls per handler (`on handler { … }` blocks), in source order. Omitted from the
   * JSON form when the event declares none. */
  flow?: FlowControls[];
}

/** `concurrency: 2 by customer.id`: at most `limit` runs at once, per key value when `key` is set. */
export interface ConcurrencyControl {
  /** The most runs in flight at once (per key). */
  limit: number;
  /** A payload field path (`customer.id`); omitted for one limit over all events. */
  key?: string;
}

/** `rate: 10 per 1s by user` (excess events are dropped) or `throttle: …` (excess events wait). */
export interface RateControl {
  /** The most runs started in one period (per key). */
  limit: number;
  /** The period in milliseconds. */
  period_ms: number;
  /** A payload field path; omitted for one budget over all events. */
  key?: string;
}

/** Which event of a burst a debounced handler runs with. */
export type DebounceEdge = "leading" | "trailing";

/** `debounce: 5s by user trailing max 30s`: one run per burst of events with the same key. */
export interface DebounceControl {
  /** The quiet time in milliseconds that ends a burst. */
  period_ms: number;
  /** A payload field path; omitted to debounce every event together. */
  key?: string;
  /** `trailing` (default) runs with the last event after the quiet time; `leading` runs with the
   * first at once and drops the rest of the burst. */
  edge: DebounceEdge;
  /** The longest a burst may hold a trailing run back, in milliseconds; omitted for no limit. */
  max_wait_ms?: number;
}

/** `batch: 100 within 500ms`: the handler receives an array of up to `size` events. */
export interface BatchControl {
  /** The most events in one batch. */
  size: number;
  /** The longest the first event of a batch waits for more, in milliseconds. */
  wait_ms: number;
}

/** The flow controls of one handler of an event (`on send_email { … }`). */
export interface FlowControls {
  /** The handler the controls apply to; one of the event's `handler:` entries. */
  handler: string;
  /** Omitted when not declared. */
  concurrency?: ConcurrencyControl;
  /** Omitted when not declared. */
  rate?: RateControl;
  /** Omitted when not declared. */
  throttle?: RateControl;
  /** Omitted when not declared. */
  debounce?: DebounceControl;
  /** Omitted when not declared. */
  batch?: BatchControl;
  /** `priority: 0..9`, higher runs first; omitted when not declared. */
  priority?: number;
  /** `delay: 10s`: the handler runs this many milliseconds after the event; omitted when not
   * declared. */
  delay_ms?: number;
  /**
   * `ordered: false`: the handler does not need its events in order, so its deliveries run
   * concurrently; omitted when not declared (in order: one delivery at a time).
   */
  ordered?: boolean;
}

/** The control keys of an `on handler { … }` block, in documentation order. */
export const FLOW_CONTROL_KEYS = [
  "concurrency",
  "rate",
  "throttle",
  "debounce",
  "batch",
  "priority",
  "delay",
  "ordered",
] as const;

/** A key of an `on handler { … }` block. */
export type FlowControlKey = typeof FLOW_CONTROL_KEYS[number];

/** `cron Name { schedule: "..." timezone: "Europe/Berlin" triggers: [..] }`. */
export interface Cron {
  /** The cron job name. */
  name: string;
  /** The cron expression; `""` when the block declares none (validation reports it). */
  schedule: string;
  /** Events published after the job succeeds. */
  triggers: string[];
  /** Extension over the original: an IANA time zone. Omitted from the JSON form when absent. */
  timezone?: string;
}

/** `ws Name { path: "/ws" message: M onConnect: [..] onMessage: [..] ... broadcast: true }`. */
export interface WebSocket {
  /** The WebSocket endpoint name. */
  name: string;
  /** The route the endpoint upgrades on. */
  path: string;
  /** The message type name, or null when messages are untyped. */
  message: string | null;
  /** Handlers called when a connection opens (`onConnect`). */
  on_connect: string[];
  /** Handlers called for each message (`onMessage`). */
  on_message: string[];
  /** Handlers called when a connection closes (`onDisconnect`). */
  on_disconnect: string[];
  /** Events published after a handler succeeds. */
  triggers: string[];
  /** Whether messages go to every connection; default false. */
  broadcast: boolean;
  /** Middleware names run on connect, in order. */
  middlewares: string[];
}

/** A whole parsed schema; each list keeps declaration order. */
export interface Schema {
  /** The `model` blocks. */
  models: Model[];
  /** The `type` blocks. */
  types: TypeDef[];
  /** The `api` blocks. */
  apis: Api[];
  /** The `event` blocks. */
  events: Event[];
  /** The `cron` blocks. */
  crons: Cron[];
  /** The `input` blocks. */
  inputs: Input[];
  /** The `ws` blocks. */
  websockets: WebSocket[];
}

/** Every kind of top-level definition. */
export type DefinitionKind = "model" | "type" | "input" | "api" | "event" | "cron" | "ws";

/** A definition node of any kind. */
export type Definition = Model | TypeDef | Input | Api | Event | Cron | WebSocket;

/** Returns an empty schema.
 *
 * @returns a schema with every list empty
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { emptySchema } from "./ast.ts";
 * assertEquals(emptySchema().models.length, 0);
 * ```
 */
export function emptySchema(): Schema {
  return { models: [], types: [], apis: [], events: [], crons: [], inputs: [], websockets: [] };
}

/** A position range in a source file; lines and columns are 1-based, offsets 0-based. */
export interface Span {
  /** The file name the source was given under. */
  file: string;
  /** The 1-based line of the first character. */
  line: number;
  /** The 1-based column (UTF-16 units) of the first character. */
  column: number;
  /** The 1-based line just past the last character. */
  endLine: number;
  /** The 1-based column just past the last character. */
  endColumn: number;
  /** The 0-based offset of the first character. */
  offset: number;
  /** The 0-based offset just past the last character. */
  endOffset: number;
}

/** Where a node and its parts are written in the source. */
export interface NodeLocation {
  /** The whole node (definition block or field line). */
  span: Span;
  /** The node's name. */
  name: Span;
  /** The value of each property as last written (`body`, `response`, `path`, a field's type...). */
  properties: Partial<Record<string, Span>>;
  /** Each item of list properties (`triggers`, `handler`, `middlewares`...), in order. */
  items: Partial<Record<string, Span[]>>;
}

/** Positions of parsed nodes, keyed by node object (definitions and fields). */
export type SchemaLocations = WeakMap<object, NodeLocation>;
