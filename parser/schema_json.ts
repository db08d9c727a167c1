/**
 * The canonical JSON form of a schema: the original Rohas shape
 * (docs/compatibility.md#schema-json), snake_case keys in a fixed order, `adapter_type` and
 * `timezone` omitted when absent.
 *
 * @module
 */

import type { Api, Cron, Event, Field, Input, Model, Schema, TypeDef, WebSocket } from "./ast.ts";

/** Returns a plain copy of a schema with every key in canonical order (no extra keys).
 *
 * @param schema the schema
 * @returns plain data that `JSON.stringify` prints in canonical form
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { parseSchema } from "./parse.ts";
 * import { schemaToPlain } from "./schema_json.ts";
 * const plain = schemaToPlain(parseSchema("event E { payload: Json }").schema);
 * assert(!("adapter_type" in plain.events[0]!));
 * ```
 */
export function schemaToPlain(schema: Schema): Schema {
  return {
    models: schema.models.map(plainModel),
    types: schema.types.map(plainDto),
    apis: schema.apis.map(plainApi),
    events: schema.events.map(plainEvent),
    crons: schema.crons.map(plainCron),
    inputs: schema.inputs.map(plainDto),
    websockets: schema.websockets.map(plainWebSocket),
  };
}

/** Serialises a schema in its canonical JSON form, indented by two spaces.
 *
 * @param schema the schema
 * @returns the JSON text (no trailing newline)
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseSchema } from "./parse.ts";
 * import { schemaToJson } from "./schema_json.ts";
 * const json = schemaToJson(parseSchema("model User {}").schema);
 * assertEquals(JSON.parse(json).models[0].name, "User");
 * ```
 */
export function schemaToJson(schema: Schema): string {
  return JSON.stringify(schemaToPlain(schema), null, 2);
}

function plainModel(model: Model): Model {
  return {
    name: model.name,
    fields: model.fields.map(plainField),
    attributes: model.attributes.map((a) => ({ name: a.name, args: [...a.args] })),
  };
}

function plainDto(dto: TypeDef | Input): TypeDef | Input {
  return { name: dto.name, fields: dto.fields.map(plainField) };
}

function plainField(field: Field): Field {
  return {
    name: field.name,
    field_type: structuredClone(field.field_type),
    optional: field.optional,
    attributes: field.attributes.map((a) => ({ name: a.name, args: [...a.args] })),
  };
}

function plainApi(api: Api): Api {
  return {
    name: api.name,
    method: api.method,
    path: api.path,
    body: api.body,
    response: api.response,
    triggers: [...api.triggers],
    middlewares: [...api.middlewares],
  };
}

function plainEvent(event: Event): Event {
  const plain: Event = {
    name: event.name,
    payload: event.payload,
    handlers: [...event.handlers],
    triggers: [...event.triggers],
  };
  if (event.adapter_type !== undefined) plain.adapter_type = event.adapter_type;
  if (event.flow !== undefined) plain.flow = structuredClone(event.flow);
  return plain;
}

function plainCron(cron: Cron): Cron {
  const plain: Cron = { name: cron.name, schedule: cron.schedule, triggers: [...cron.triggers] };
  if (cron.timezone !== undefined) plain.timezone = cron.timezone;
  return plain;
}

function plainWebSocket(ws: WebSocket): WebSocket {
  return {
    name: ws.name,
    path: ws.path,
    message: ws.message,
    on_connect: [...ws.on_connect],
    on_message: [...ws.on_message],
    on_disconnect: [...ws.on_disconnect],
    triggers: [...ws.triggers],
    broadcast: ws.broadcast,
    middlewares: [...ws.middlewares],
  };
}
