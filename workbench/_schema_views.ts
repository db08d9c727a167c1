/**
 * Views of the parsed schema (never text heuristics): the schema graph, `/endpoints`, and the JSON
 * Schema of a type for `/types/{name}` (inputs, then models, then `type` DTOs, which the original
 * missed).
 *
 * @module
 */

import type { Field, FieldType, Schema } from "../parser/mod.ts";
import { PRIMITIVE_JSON_SCHEMA, SchemaIndex } from "../codegen/mod.ts";

/** A node of the schema graph. */
export interface GraphNode {
  /** `<kind>:<name>`, such as `api:CreateUser`. */
  id: string;
  /** The definition's name. */
  label: string;
  /** The node kind, also its bucket. */
  bucket: string;
  /** The route, schedule or handler file, when known. */
  path: string;
  /** `schema` or `handler` (code: handlers and middlewares), as in the original. */
  type: "schema" | "handler";
  /**
   * Extension: `api`, `event`, `cron`, `websocket`, `model`, `type`, `input`, `handler`,
   * `middleware`.
   */
  kind: string;
}

/** An edge of the schema graph. */
export interface GraphEdge {
  /** `<source>-><target>:<relation>`. */
  id: string;
  /** The node the edge starts at. */
  source: string;
  /** The node the edge points to. */
  target: string;
  /**
   * Publishes (`triggers`), runs (`handles`), uses a type (`references`), or runs before an API's
   * or WebSocket's handlers and may reject (`guards`: from the middleware to what it guards).
   */
  relation: "triggers" | "handles" | "references" | "guards";
}

/** Handler names to project-relative files, when the engine resolved them. */
export type HandlerFiles = ReadonlyMap<string, string>;

/** Builds the schema graph.
 *
 * @param schema the parsed schema
 * @param files handler files by `<kind>:<name>` for the node paths
 * @returns nodes and edges, in declaration order
 */
export function schemaGraph(
  schema: Schema,
  files: HandlerFiles = new Map(),
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const node = (kind: string, name: string, path = "") => {
    const id = `${kind}:${name}`;
    if (!nodes.has(id)) {
      const type = kind === "handler" || kind === "middleware" ? "handler" : "schema";
      nodes.set(id, { id, label: name, bucket: kind, path, type, kind });
    }
    return id;
  };
  const edge = (source: string, target: string, relation: GraphEdge["relation"]) => {
    const id = `${source}->${target}:${relation}`;
    edges.set(id, { id, source, target, relation });
  };
  const typeNode = (name: string) => {
    if (schema.inputs.some((d) => d.name === name)) return node("input", name);
    if (schema.models.some((d) => d.name === name)) return node("model", name);
    if (schema.types.some((d) => d.name === name)) return node("type", name);
    return null;
  };
  const refer = (from: string, typeName: string | null) => {
    const target = typeName ? typeNode(typeName) : null;
    if (target) edge(from, target, "references");
  };
  const handle = (from: string, kind: string, name: string) =>
    edge(from, node("handler", name, files.get(`${kind}:${name}`) ?? ""), "handles");
  const guard = (to: string, name: string) =>
    edge(node("middleware", name, files.get(`middleware:${name}`) ?? ""), to, "guards");

  for (const d of [...schema.models, ...schema.inputs, ...schema.types]) typeNode(d.name);
  for (const d of [...schema.models, ...schema.inputs, ...schema.types]) {
    const from = typeNode(d.name)!;
    for (const f of d.fields) refer(from, customName(f.field_type));
  }
  for (const api of schema.apis) {
    const id = node("api", api.name, `${api.method} ${api.path}`);
    refer(id, api.body);
    refer(id, api.response);
    handle(id, "api", api.name);
    for (const m of api.middlewares) guard(id, m);
    for (const t of api.triggers) edge(id, node("event", t), "triggers");
  }
  for (const event of schema.events) {
    const id = node("event", event.name);
    refer(id, event.payload);
    for (const h of event.handlers) handle(id, "event", h);
    for (const t of event.triggers) edge(id, node("event", t), "triggers");
  }
  for (const cron of schema.crons) {
    const id = node("cron", cron.name, cron.schedule);
    handle(id, "cron", cron.name);
    for (const t of cron.triggers) edge(id, node("event", t), "triggers");
  }
  for (const ws of schema.websockets) {
    const id = node("websocket", ws.name, ws.path);
    refer(id, ws.message);
    for (const m of ws.middlewares) guard(id, m);
    for (const h of [...ws.on_connect, ...ws.on_message, ...ws.on_disconnect]) {
      handle(id, "websocket", h);
    }
    for (const t of ws.triggers) edge(id, node("event", t), "triggers");
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

function customName(type: FieldType): string | null {
  if (typeof type === "string") return null;
  if ("Custom" in type) return type.Custom;
  return customName(type.Array);
}

/** The `/endpoints` body.
 *
 * @param schema the parsed schema
 * @returns apis, websockets, crons and events
 */
export function endpoints(schema: Schema): Record<string, unknown[]> {
  return {
    apis: schema.apis.map((a) => ({
      name: a.name,
      method: a.method,
      path: a.path,
      body: a.body,
      response: a.response,
      triggers: a.triggers,
      middlewares: a.middlewares,
    })),
    websockets: schema.websockets.map((w) => ({
      name: w.name,
      path: w.path,
      message: w.message,
      on_connect: w.on_connect,
      on_message: w.on_message,
      on_disconnect: w.on_disconnect,
      triggers: w.triggers,
      broadcast: w.broadcast,
      middlewares: w.middlewares,
    })),
    crons: schema.crons.map((c) => ({
      name: c.name,
      schedule: c.schedule,
      triggers: c.triggers,
      ...(c.timezone === undefined ? {} : { timezone: c.timezone }),
    })),
    events: schema.events.map((e) => ({
      name: e.name,
      payload: e.payload,
      handlers: e.handlers,
      triggers: e.triggers,
      flow: e.flow ?? [],
    })),
  };
}

/** A JSON Schema object. */
export type JsonSchema = Record<string, unknown>;

/** Primitive names as written (`Bool`, `Date` too) to their JSON Schema: codegen's one mapping. */
function primitive(schema: Schema, name: string): JsonSchema | null {
  const ref = new SchemaIndex(schema).resolve(name);
  return ref.kind === "primitive" ? { ...PRIMITIVE_JSON_SCHEMA[ref.name] } : null;
}

/** The JSON Schema of a named type, or null when the schema has no such type.
 *
 * @param schema the parsed schema
 * @param name a primitive, input, model or type name
 * @returns the JSON Schema, nested types expanded (a cycle becomes `{"type":"object"}`)
 */
export function jsonSchemaOf(schema: Schema, name: string): JsonSchema | null {
  return resolve(schema, name, new Set());
}

function resolve(schema: Schema, name: string, seen: Set<string>): JsonSchema | null {
  const known = primitive(schema, name);
  if (known) return known;
  const def = schema.inputs.find((d) => d.name === name) ??
    schema.models.find((d) => d.name === name) ?? schema.types.find((d) => d.name === name);
  if (!def) return null;
  if (seen.has(name)) return { type: "object" };
  const inner = new Set(seen).add(name);
  const properties: Record<string, JsonSchema> = {};
  for (const f of def.fields) properties[f.name] = fieldSchema(schema, f, inner);
  const required = def.fields.filter((f) => !f.optional).map((f) => f.name);
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
}

function fieldSchema(schema: Schema, field: Field, seen: Set<string>): JsonSchema {
  return typeSchema(schema, field.field_type, seen);
}

function typeSchema(schema: Schema, type: FieldType, seen: Set<string>): JsonSchema {
  if (typeof type === "string") return { ...PRIMITIVE_JSON_SCHEMA[type] };
  if ("Array" in type) return { type: "array", items: typeSchema(schema, type.Array, seen) };
  return resolve(schema, type.Custom, seen) ?? { type: "object" };
}

/** An example value for a JSON Schema, to seed editors.
 *
 * @param schema the JSON Schema
 * @returns a value of that shape
 */
export function exampleOf(schema: JsonSchema): unknown {
  switch (schema.type) {
    case "string":
      return schema.format === "date-time" ? new Date(0).toISOString() : "";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    default: {
      const props = schema.properties as Record<string, JsonSchema> | undefined;
      if (!props) return {};
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, exampleOf(v)]));
    }
  }
}
