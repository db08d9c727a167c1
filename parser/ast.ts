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
  name: string;
  args: string[];
}

/** A field of a model, type or input. Input and type fields always have `attributes: []`. */
export interface Field {
  name: string;
  field_type: FieldType;
  optional: boolean;
  attributes: Attribute[];
}

/** `model Name { field Type? @attr ... }`. `attributes` is always empty (no block attributes). */
export interface Model {
  name: string;
  fields: Field[];
  attributes: Attribute[];
}

/** `type Name { field: Type }`: a response DTO. */
export interface TypeDef {
  name: string;
  fields: Field[];
}

/** `input Name { field: Type }`: a request DTO. */
export interface Input {
  name: string;
  fields: Field[];
}

/** The HTTP methods an `api` block may declare. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** An HTTP method an `api` block may declare. */
export type HttpMethod = typeof HTTP_METHODS[number];

/** `api Name { method: GET path: "/x/{id}" body: B response: R triggers: [..] middlewares: [..] }`. */
export interface Api {
  name: string;
  method: HttpMethod;
  path: string;
  body: string | null;
  response: string;
  triggers: string[];
  middlewares: string[];
}

/** The adapter routing hint of an event (`type: sqs`), used by the AWS adapter. */
export type EventAdapterType = "sqs" | "eventbridge";

/** `event Name { payload: P handler: [..] triggers: [..] type: sqs }`. */
export interface Event {
  name: string;
  /** The payload type name; `""` when the block declares none (validation reports it). */
  payload: string;
  handlers: string[];
  triggers: string[];
  /** Omitted from the JSON form when absent. */
  adapter_type?: EventAdapterType;
}

/** `cron Name { schedule: "..." timezone: "Europe/Berlin" triggers: [..] }`. */
export interface Cron {
  name: string;
  /** The cron expression; `""` when the block declares none (validation reports it). */
  schedule: string;
  triggers: string[];
  /** Extension over the original: an IANA time zone. Omitted from the JSON form when absent. */
  timezone?: string;
}

/** `ws Name { path: "/ws" message: M onConnect: [..] onMessage: [..] ... broadcast: true }`. */
export interface WebSocket {
  name: string;
  path: string;
  message: string | null;
  on_connect: string[];
  on_message: string[];
  on_disconnect: string[];
  triggers: string[];
  broadcast: boolean;
  middlewares: string[];
}

/** A whole parsed schema; each list keeps declaration order. */
export interface Schema {
  models: Model[];
  types: TypeDef[];
  apis: Api[];
  events: Event[];
  crons: Cron[];
  inputs: Input[];
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
 * import { emptySchema } from "./ast.ts";
 * console.assert(emptySchema().models.length === 0);
 * ```
 */
export function emptySchema(): Schema {
  return { models: [], types: [], apis: [], events: [], crons: [], inputs: [], websockets: [] };
}

/** A position range in a source file; lines and columns are 1-based, offsets 0-based. */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  offset: number;
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
