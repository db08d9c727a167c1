/**
 * TypeScript type modules: models, DTOs, APIs, events, crons and WebSockets
 * (docs/design.md#d4-typescript-handler-contracts).
 *
 * @module
 */

import type { Api, Cron, Event, Field, Schema, WebSocket } from "../parser/mod.ts";
import { hasBatchedHandler } from "./_handlers.ts";
import { pathParams, snake, tsDoc, tsKey } from "./_names.ts";
import type { SchemaIndex } from "./_schema_index.ts";
import { TsModule } from "./_ts_module.ts";

/** A generated file, path relative to `generated/`. */
export interface TsFile {
  path: string;
  content: string;
  /** The names the module exports, in declaration order. */
  exports: string[];
}

/** Every type module of a schema.
 *
 * @param schema the parsed schema
 * @param index its type index
 * @returns the files, relative to `generated/`
 */
export function tsTypeModules(schema: Schema, index: SchemaIndex): TsFile[] {
  return [
    ...schema.models.map((m) => shapeModule("models", m, index, "Model")),
    ...schema.types.map((t) => shapeModule("dto", t, index, "Type")),
    ...schema.inputs.map((i) => shapeModule("dto", i, index, "Input")),
    ...schema.apis.map((api) => apiModule(api, index)),
    ...schema.events.map((event) => eventModule(event, index)),
    ...schema.crons.map((cron) => cronModule(cron, index)),
    ...schema.websockets.map((ws) => wsModule(ws, index)),
  ];
}

function shapeModule(
  dir: string,
  shape: { name: string; fields: Field[] },
  index: SchemaIndex,
  kind: string,
): TsFile {
  const m = new TsModule(dir, index, { declared: [shape.name], self: shape.name });
  m.out.line(`/** ${kind} \`${shape.name}\` of the schema, as JSON on the wire. */`);
  m.out.block(`export interface ${shape.name} {`, () => {
    for (const field of shape.fields) writeField(m, field);
  }, "}");
  return { path: `${dir}/${snake(shape.name)}.ts`, content: m.render(), exports: [shape.name] };
}

function writeField(m: TsModule, field: Field): void {
  const docs: string[] = [];
  if (mentionsDateTime(field)) {
    docs.push("An ISO 8601 date-time string, e.g. `2024-01-31T09:30:00Z`.");
  }
  if (field.optional) docs.push("Optional: absent or null.");
  if (field.attributes.length > 0) {
    const attrs = field.attributes.map((a) =>
      a.args.length === 0 ? `@${a.name}` : `@${a.name}(${a.args.join(", ")})`
    );
    docs.push(`Schema attributes: \`${attrs.join(" ")}\`.`);
  }
  if (docs.length > 0) m.out.line(`/** ${docs.join(" ")} */`);
  const type = m.field(field.field_type);
  m.out.line(
    field.optional ? `${tsKey(field.name)}?: ${type} | null;` : `${tsKey(field.name)}: ${type};`,
  );
}

function mentionsDateTime(field: Field): boolean {
  const t = field.field_type;
  return t === "DateTime" || (typeof t === "object" && "Array" in t && t.Array === "DateTime");
}

function apiModule(api: Api, index: SchemaIndex): TsFile {
  const names = [`${api.name}Request`, `${api.name}Response`, `${api.name}Handler`];
  const m = new TsModule("api", index, { declared: names });
  const state = m.use("state.ts", "State");
  const [request, response, handler] = names as [string, string, string];
  m.out.line(`/** The request of API \`${api.name}\` (\`${api.method} ${tsDoc(api.path)}\`). */`);
  m.out.block(`export interface ${request} {`, () => {
    for (const param of pathParams(api.path)) {
      m.out.line(`/** Path parameter \`${param}\`, percent-decoded. */`).line(
        `${tsKey(param)}: string;`,
      );
    }
    if (api.body !== null) {
      m.out.line(`/** The JSON body, validated against \`${api.body}\`. */`);
      m.out.line(`body: ${m.named(api.body)};`);
    }
    m.out.line("/** Query string values; a repeated key gives an array. */");
    m.out.line("queryParams: Record<string, string | string[]>;");
    m.out.line("/** Request headers, names lower-cased. */").line(
      "headers: Record<string, string>;",
    );
  }, "}");
  m.out.line();
  m.out.line(`/** The response of API \`${api.name}\`: sent as JSON \`{ "data": ... }\`. */`);
  m.out.block(`export interface ${response} {`, () => {
    m.out.line(`data: ${m.named(api.response)};`);
  }, "}");
  m.out.line();
  m.out.line("/** A handler returns the response, or a web `Response`, or throws `HttpError`. */");
  m.out.line(`export type ${handler} = (`).indent(() => {
    m.out.line(`req: ${request},`).line(`state: ${state},`);
  }).line(`) => ${response} | Response | Promise<${response} | Response>;`);
  return { path: `api/${snake(api.name)}.ts`, content: m.render(), exports: names };
}

function eventModule(event: Event, index: SchemaIndex): TsFile {
  const handler = `${event.name}Handler`;
  const batch = `${event.name}BatchHandler`;
  const batched = hasBatchedHandler(event);
  const exports = batched ? [event.name, handler, batch] : [event.name, handler];
  const m = new TsModule("events", index, { declared: exports });
  const state = m.use("state.ts", "State");
  const payload = event.payload === "" ? "unknown" : m.named(event.payload);
  m.out.line(`/** Event \`${event.name}\` as its handlers receive it. */`);
  m.out.block(`export interface ${event.name} {`, () => {
    m.out.line(`payload: ${payload};`);
    m.out.line("/** When the event was published: an ISO 8601 date-time string. */");
    m.out.line("timestamp: string;").line("/** The event id, the same on every retry. */");
    m.out.line("id: string;").line("/** The delivery attempt, 1 for the first. */").line(
      "attempt: number;",
    );
  }, "}");
  m.out.line();
  m.out.line(
    "/** Throw to retry the delivery; throw `NonRetriableError` to dead-letter it at once. */",
  );
  m.out.line(
    `export type ${handler} = (event: ${event.name}, state: ${state}) => void | Promise<void>;`,
  );
  if (batched) {
    m.out.line();
    m.out.line(
      "/** A batched handler (`batch:` in its `on` block) receives the events of a batch in",
    );
    m.out.line(" * delivery order; throw to retry the whole batch. */");
    m.out.line(`export type ${batch} = (`).indent(() => {
      m.out.line(`events: ${event.name}[],`).line(`state: ${state},`);
    }).line(") => void | Promise<void>;");
  }
  return { path: `events/${snake(event.name)}.ts`, content: m.render(), exports };
}

function cronModule(cron: Cron, index: SchemaIndex): TsFile {
  const handler = `${cron.name}Handler`;
  const m = new TsModule("cron", index, { declared: [cron.name, handler] });
  const state = m.use("state.ts", "State");
  m.out.line(`/** Cron job \`${cron.name}\`: \`${tsDoc(cron.schedule)}\`. */`);
  m.out.block(`export interface ${cron.name} {`, () => {
    m.out.line("schedule: string;");
  }, "}");
  m.out.line();
  m.out.line("/** The result is the default payload of the job's `triggers:` events. */");
  m.out.line(`export type ${handler} = (state: ${state}) => unknown;`);
  return {
    path: `cron/${snake(cron.name)}.ts`,
    content: m.render(),
    exports: [cron.name, handler],
  };
}

function wsModule(ws: WebSocket, index: SchemaIndex): TsFile {
  const [message, connection] = [`${ws.name}Message`, `${ws.name}Connection`];
  const handlers = ["Connect", "Message", "Disconnect"].map((r) => `${ws.name}${r}Handler`);
  const m = new TsModule("websockets", index, { declared: [message, connection, ...handlers] });
  const state = m.use("state.ts", "SocketState");
  const data = ws.message === null ? "unknown" : m.named(ws.message);
  m.out.line(`/** A message received on WebSocket \`${ws.name}\` (\`${tsDoc(ws.path)}\`). */`);
  m.out.block(`export interface ${message} {`, () => {
    m.out.line(`data: ${data};`).line("/** When it was received: an ISO 8601 date-time string. */");
    m.out.line("timestamp: string;");
  }, "}");
  m.out.line();
  m.out.line(`/** A connection to WebSocket \`${ws.name}\`. */`);
  m.out.block(`export interface ${connection} {`, () => {
    m.out.line("connectionId: string;").line("path: string;");
    m.out.line("/** An ISO 8601 date-time string. */").line("connectedAt: string;");
  }, "}");
  m.out.line();
  m.out.line("/** A value other than null or undefined is sent to the client as JSON. */");
  m.out.line(
    `export type ${handlers[0]} = (connection: ${connection}, state: ${state}) => unknown;`,
  );
  m.out.line("/** A value other than null or undefined is sent back as JSON. */");
  m.out.line(`export type ${handlers[1]} = (`).indent(() => {
    m.out.line(`message: ${message},`).line(`connection: ${connection},`).line(`state: ${state},`);
  }).line(") => unknown;");
  m.out.line(`/** Called once the connection is closed. */`);
  m.out.line(
    `export type ${
      handlers[2]
    } = (connection: ${connection}, state: ${state}) => void | Promise<void>;`,
  );
  return {
    path: `websockets/${snake(ws.name)}.ts`,
    content: m.render(),
    exports: [message, connection, ...handlers],
  };
}
