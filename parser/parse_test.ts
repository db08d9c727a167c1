import assert from "node:assert/strict";
import { parseFiles, parseSchema } from "./parse.ts";

// The original parser's own tests (SPEC.md 1.16), inputs verbatim. T6/T7 test type-mapping helpers
// that codegen owns; T8 tests the duplicate check, which is validation's job (validate_test.ts).

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
