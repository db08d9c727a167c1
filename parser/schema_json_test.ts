import assert from "node:assert/strict";
import type { Schema } from "./ast.ts";
import { parseSchema } from "./parse.ts";
import { schemaToJson, schemaToPlain } from "./schema_json.ts";

const SOURCE = `
ws W { middlewares: [m] broadcast: true path: "/ws" message: M onConnect: [c] }
cron C { triggers: [E] timezone: "UTC" schedule: "* * * * *" }
event E { type: eventbridge handler: [h] payload: P }
event F { payload: P }
api A { response: R triggers: [E] path: "/a" method: PUT }
input I { b: Int? }
type T { a: String[] }
model M { x Json @default("{}") }
`;

function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysDeep(v)]);
}

Deno.test("schemaToPlain() orders keys as the original's AST, whatever the source order", () => {
  const plain = schemaToPlain(parseSchema(SOURCE).schema);
  assert.deepEqual(Object.keys(plain), [
    "models",
    "types",
    "apis",
    "events",
    "crons",
    "inputs",
    "websockets",
  ]);
  assert.deepEqual(Object.keys(plain.apis[0]!), [
    "name",
    "method",
    "path",
    "body",
    "response",
    "triggers",
    "middlewares",
  ]);
  assert.deepEqual(Object.keys(plain.events[0]!), [
    "name",
    "payload",
    "handlers",
    "triggers",
    "adapter_type",
  ]);
  assert.deepEqual(Object.keys(plain.crons[0]!), ["name", "schedule", "triggers", "timezone"]);
  assert.deepEqual(Object.keys(plain.websockets[0]!), [
    "name",
    "path",
    "message",
    "on_connect",
    "on_message",
    "on_disconnect",
    "triggers",
    "broadcast",
    "middlewares",
  ]);
  assert.deepEqual(Object.keys(plain.models[0]!.fields[0]!), [
    "name",
    "field_type",
    "optional",
    "attributes",
  ]);
});

Deno.test("schemaToPlain() omits adapter_type and timezone when absent", () => {
  const plain = schemaToPlain(parseSchema("event F { payload: P }\ncron C {}").schema);
  assert.deepEqual(Object.keys(plain.events[0]!), ["name", "payload", "handlers", "triggers"]);
  assert.deepEqual(Object.keys(plain.crons[0]!), ["name", "schedule", "triggers"]);
});

Deno.test("schemaToPlain() drops keys that are not part of the AST and copies deeply", () => {
  const schema = parseSchema(SOURCE).schema;
  (schema.apis[0] as unknown as Record<string, unknown>).extra = 1;
  const plain = schemaToPlain(schema);
  assert.ok(!keysDeep(plain).includes("extra"));
  plain.apis[0]!.triggers.push("X");
  assert.deepEqual(schema.apis[0]?.triggers, ["E"]);
});

Deno.test("schemaToJson() round-trips to the same plain schema, with nulls and nested arrays", () => {
  const schema = parseSchema(SOURCE).schema;
  const parsed = JSON.parse(schemaToJson(schema)) as Schema;
  assert.deepEqual(parsed, schemaToPlain(schema));
  assert.equal(parsed.apis[0]?.body, null);
  assert.deepEqual(parsed.types[0]?.fields[0]?.field_type, { Array: "String" });
  assert.ok(schemaToJson(schema).startsWith('{\n  "models": ['));
});
