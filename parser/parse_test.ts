import assert from "node:assert/strict";
import { parseFiles, parseSchema } from "./parse.ts";

// The original parser's own tests (docs/compatibility.md#parser-tests), inputs verbatim. T6/T7 test
// type-mapping helpers that codegen owns; T8 tests the duplicate check, which is validation's job
// (validate_test.ts).

const T1 = `
            model User {
                id Int @id @auto
                name String
                email String @unique
                createdAt DateTime @default(now)
            }

            input CreateUserInput {
                name: String
                email: String
            }

            api CreateUser {
                method: POST
                path: "/users"
                body: CreateUserInput
                response: User
                triggers: [UserCreated]
            }

            event UserCreated {
                payload: User
                handler: [send_welcome_email, update_analytics]
            }

            cron CleanupOldUsers {
                schedule: "0 0 * * *"
                triggers: [UserDeleted]
            }
`;

Deno.test("parseSchema() parses the original's full schema test (T1) with every derived value", () => {
  const { schema, diagnostics } = parseSchema(T1);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(schema, {
    models: [{
      name: "User",
      fields: [
        {
          name: "id",
          field_type: "Int",
          optional: false,
          attributes: [{ name: "id", args: [] }, { name: "auto", args: [] }],
        },
        { name: "name", field_type: "String", optional: false, attributes: [] },
        {
          name: "email",
          field_type: "String",
          optional: false,
          attributes: [{ name: "unique", args: [] }],
        },
        {
          name: "createdAt",
          field_type: "DateTime",
          optional: false,
          attributes: [{ name: "default", args: ["now"] }],
        },
      ],
      attributes: [],
    }],
    types: [],
    apis: [{
      name: "CreateUser",
      method: "POST",
      path: "/users",
      body: "CreateUserInput",
      response: "User",
      triggers: ["UserCreated"],
      middlewares: [],
    }],
    events: [{
      name: "UserCreated",
      payload: "User",
      handlers: ["send_welcome_email", "update_analytics"],
      triggers: [],
    }],
    crons: [{ name: "CleanupOldUsers", schedule: "0 0 * * *", triggers: ["UserDeleted"] }],
    inputs: [{
      name: "CreateUserInput",
      fields: [
        { name: "name", field_type: "String", optional: false, attributes: [] },
        { name: "email", field_type: "String", optional: false, attributes: [] },
      ],
    }],
    websockets: [],
  });
});

Deno.test("parseSchema() parses a model with three fields (T2)", () => {
  const { schema, diagnostics } = parseSchema(`
            model User {
                id Int @id @auto
                name String
                email String @unique
            }
`);
  assert.deepEqual(diagnostics, []);
  assert.equal(schema.models.length, 1);
  assert.equal(schema.models[0]?.name, "User");
  assert.equal(schema.models[0]?.fields.length, 3);
});

Deno.test("parseSchema() parses an api whose references are undefined (T3)", () => {
  const { schema, diagnostics } = parseSchema(`
            api CreateUser {
                method: POST
                path: "/users"
                body: CreateUserInput
                response: User
                triggers: [UserCreated]
            }
`);
  assert.deepEqual(diagnostics, []);
  assert.equal(schema.apis.length, 1);
  assert.equal(schema.apis[0]?.name, "CreateUser");
});

Deno.test("parseSchema() parses an event with two handlers and a trigger (T4)", () => {
  const { schema, diagnostics } = parseSchema(`
            event UserCreated {
                payload: User
                handler: [send_welcome_email, update_analytics]
                triggers: [NotifyAdmin]
            }
`);
  assert.deepEqual(diagnostics, []);
  assert.equal(schema.events[0]?.name, "UserCreated");
  assert.equal(schema.events[0]?.handlers.length, 2);
  assert.deepEqual(schema.events[0]?.triggers, ["NotifyAdmin"]);
});

Deno.test("parseSchema() accepts the original's basic grammar test (T5)", () => {
  const { schema, diagnostics } = parseSchema(`
            model User {
                id Int @id @auto
                name String
            }
`);
  assert.deepEqual(diagnostics, []);
  assert.equal(schema.models[0]?.fields.length, 2);
});

Deno.test("parseSchema() names positions after the given file, or <input> by default", () => {
  assert.equal(parseSchema("oops").diagnostics[0]?.file, "<input>");
  assert.equal(parseSchema("oops", { file: "a.ro" }).diagnostics[0]?.file, "a.ro");
});

Deno.test("parseFiles() concatenates each list in file order and keeps each file's diagnostics", () => {
  const { schema, diagnostics } = parseFiles([
    { path: "b.ro", source: "model B {}\nmodel" },
    { path: "a.ro", source: "model A {}\noops" },
  ]);
  assert.deepEqual(schema.models.map((m) => m.name), ["B", "A"]);
  assert.deepEqual(diagnostics.map((d) => [d.file, d.line]), [["b.ro", 2], ["a.ro", 2]]);
});

Deno.test("parseSchema() records where each definition, property, list item and field is", () => {
  const source = `api GetUser {
  method: GET
  path: "/a"
  path: "/users/{id}"
  response: User
  triggers: [A, B]
  middlewares: ["auth"]
}
model User {
  tags String[]? @x
}`;
  const { schema, locations } = parseSchema(source, { file: "f.ro" });
  const at = (
    span: { line: number; column: number; endLine: number; endColumn: number },
  ) => [span.line, span.column, span.endLine, span.endColumn];
  const api = locations.get(schema.apis[0]!)!;
  assert.deepEqual(at(api.span), [1, 1, 8, 2]);
  assert.deepEqual(at(api.name), [1, 5, 1, 12]);
  assert.equal(api.span.file, "f.ro");
  assert.deepEqual(at(api.properties.method!), [2, 11, 2, 14]);
  assert.deepEqual(at(api.properties.path!), [4, 9, 4, 22], "the last occurrence wins");
  assert.deepEqual(
    source.slice(api.properties.path!.offset, api.properties.path!.endOffset),
    '"/users/{id}"',
  );
  assert.deepEqual(at(api.properties.response!), [5, 13, 5, 17]);
  assert.deepEqual(api.items.triggers?.map(at), [[6, 14, 6, 15], [6, 17, 6, 18]]);
  assert.deepEqual(api.items.middlewares?.map(at), [[7, 17, 7, 23]]);
  const field = locations.get(schema.models[0]!.fields[0]!)!;
  assert.deepEqual(at(field.span), [10, 3, 10, 20]);
  assert.deepEqual(at(field.name), [10, 3, 10, 7]);
  assert.deepEqual(at(field.properties.type!), [10, 8, 10, 16]);
});

Deno.test("parseSchema() records list items under the keys as written", () => {
  const { schema, locations } = parseSchema(
    'event E { handler: [h1] }\nws W { path: "/ws" onConnect: [c] onMessage: [m] onDisconnect: [] }',
  );
  assert.deepEqual(Object.keys(locations.get(schema.events[0]!)!.items), ["handler"]);
  const ws = locations.get(schema.websockets[0]!)!;
  assert.deepEqual(Object.keys(ws.items), ["onConnect", "onMessage", "onDisconnect"]);
  assert.deepEqual(ws.items.onDisconnect, []);
  assert.equal(ws.items.onConnect?.[0]?.column, 32);
});
