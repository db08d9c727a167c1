/** Error recovery: one diagnostic per mistake, and the good definitions around them survive. */
import assert from "node:assert/strict";
import { parseSchema } from "../../parser/mod.ts";

function positions(source: string): [string, number, number][] {
  return parseSchema(source).diagnostics.map((d) => [d.code, d.line, d.column]);
}

const THREE_MISTAKES = `model User {
  id Int @id
  name: String
  email String
}

api GetUser {
  method: get
  path: "/users/{id}"
  response: User
}

api Health { method: GET path: "/health" response: String }

event UserCreated {
  payload: User
  handler: [send_email,]
}

cron Nightly { schedule: "0 0 * * *" }
`;

Deno.test("a file with three mistakes reports three diagnostics at their positions", () => {
  const { diagnostics } = parseSchema(THREE_MISTAKES, { file: "three.ro" });
  assert.deepEqual(diagnostics.map((d) => d.message), [
    "Syntax error at line 3, column 7: expected a type name",
    "Syntax error at line 8, column 11: expected one of GET, POST, PUT, PATCH, DELETE",
    "Syntax error at line 17, column 24: expected an identifier",
  ]);
  assert.deepEqual(diagnostics.map((d) => [d.file, d.line, d.column, d.endLine, d.endColumn]), [
    ["three.ro", 3, 7, 3, 8],
    ["three.ro", 8, 11, 8, 14],
    ["three.ro", 17, 24, 17, 25],
  ]);
});

Deno.test("the good definitions around three mistakes are still in the schema", () => {
  const { schema } = parseSchema(THREE_MISTAKES);
  assert.deepEqual(schema.models[0]?.fields.map((f) => f.name), ["id", "email"]);
  assert.deepEqual(schema.apis.map((a) => a.name), ["Health"]);
  assert.deepEqual(schema.events, [
    { name: "UserCreated", payload: "User", handlers: [], triggers: [] },
  ]);
  assert.deepEqual(schema.crons.map((c) => c.name), ["Nightly"]);
});

Deno.test("a missing closing brace is reported where the next definition starts", () => {
  const { schema, diagnostics } = parseSchema("model A {\n  id Int\nmodel B { x Int }\n");
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.column]), [["syntax-error", 3, 1]]);
  assert.deepEqual(schema.models.map((m) => [m.name, m.fields.length]), [["A", 1], ["B", 1]]);
});

Deno.test("a missing closing brace at the end of the file is reported at the end", () => {
  assert.deepEqual(positions("api A {\n  method: GET\n"), [["syntax-error", 3, 1]]);
});

Deno.test("an unterminated string is one diagnostic at its opening quote", () => {
  assert.deepEqual(positions('model A {}\napi B { method: GET path: "/b\n  response: R\n}\n'), [
    ["unterminated-string", 2, 27],
  ]);
});

Deno.test("an unterminated block comment is one diagnostic at its start", () => {
  assert.deepEqual(positions("model A {\n  /* id Int\n}\n"), [["unterminated-comment", 2, 3]]);
});

Deno.test("stray characters are one diagnostic each and the fields around them survive", () => {
  const source = "model A {\n  id Int # note\n  name String\n}\napi $ B {}\n";
  const { schema, diagnostics } = parseSchema(source);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.column, d.message]), [
    ["invalid-character", 2, 10, "Syntax error at line 2, column 10: unexpected character '#'"],
    ["invalid-character", 5, 5, "Syntax error at line 5, column 5: unexpected character '$'"],
  ]);
  assert.deepEqual(schema.models[0]?.fields.map((f) => f.name), ["id", "name"]);
});

Deno.test("junk at top level is one diagnostic and parsing resumes at the next definition", () => {
  const { schema, diagnostics } = parseSchema("oops { a b } } ]\nmodel A {}\nfoo bar\ncron C {}");
  assert.deepEqual(diagnostics.map((d) => [d.line, d.column]), [[1, 1], [3, 1]]);
  assert.deepEqual([schema.models.length, schema.crons.length], [1, 1]);
});

Deno.test("an unknown property is reported and the properties after it still count", () => {
  const { schema, diagnostics } = parseSchema(
    'api A {\n  method: GET\n  bogus: [x]\n  path: "/a"\n  response: R\n}',
  );
  assert.deepEqual(diagnostics.map((d) => [d.line, d.column]), [[3, 3]]);
  assert.deepEqual(schema.apis.map((a) => [a.method, a.path, a.response]), [["GET", "/a", "R"]]);
});

Deno.test("missing properties are reported for every api that lacks them", () => {
  const { diagnostics } = parseSchema('api A { }\napi B { method: GET }\napi C { path: "/c" }');
  assert.deepEqual(diagnostics.map((d) => [d.line, d.message]), [
    [1, "Invalid API definition: Missing HTTP method"],
    [1, "Invalid API definition: Missing path"],
    [1, "Invalid API definition: Missing response"],
    [2, "Invalid API definition: Missing path"],
    [2, "Invalid API definition: Missing response"],
    [3, "Invalid API definition: Missing HTTP method"],
    [3, "Invalid API definition: Missing response"],
  ]);
});

Deno.test("a definition without a name or brace is reported and the next one parses", () => {
  assert.deepEqual(positions("model {}\nmodel B\nmodel C {}"), [
    ["syntax-error", 1, 7],
    ["syntax-error", 3, 1],
  ]);
  assert.equal(parseSchema("model {}\nmodel B\nmodel C {}").schema.models.length, 1);
});

Deno.test("a property left without a value does not swallow the next definition", () => {
  const { schema, diagnostics } = parseSchema("event E {\n  payload:\nmodel User { id Int }");
  assert.deepEqual(diagnostics.map((d) => [d.line, d.column, d.message]), [
    [3, 1, "Syntax error at line 3, column 1: expected an identifier"],
  ]);
  assert.deepEqual([schema.events.length, schema.models.length], [1, 1]);
});

Deno.test("a field type or list item left out does not swallow the next definition", () => {
  const sources = [
    "model A {\n  x\nmodel B { y Int }",
    "input A {\n  x:\nmodel B { y Int }",
    "api A {\n  triggers: [X,\nmodel B { y Int }",
  ];
  for (const source of sources) {
    const { schema, diagnostics } = parseSchema(source);
    assert.deepEqual(diagnostics.map((d) => [d.line, d.column]), [[3, 1]], source);
    assert.deepEqual(schema.models.map((m) => m.name).at(-1), "B", source);
  }
});

Deno.test("invisible stray characters are named by code point", () => {
  const messages = ["\ufeffmodel A {}", "model A {}\u0000", "model A {\u00a0}", "\ud800"].map(
    (source) => parseSchema(source).diagnostics.map((d) => d.message.split(": ")[1]),
  );
  assert.deepEqual(messages, [
    ["unexpected character U+FEFF"],
    ["unexpected character U+0000"],
    ["unexpected character U+00A0"],
    ["unexpected character U+D800"],
  ]);
});
