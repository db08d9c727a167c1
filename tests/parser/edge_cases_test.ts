/**
 * Every row of docs/compatibility.md#parser-edge-cases (the original's edge cases), with the D1
 * relaxations applied: rows the relaxations change assert the new outcome and say so.
 */
import assert from "node:assert/strict";
import { type Diagnostic, parseSchema, type Schema } from "../../parser/mod.ts";

function ok(source: string): Schema {
  const { schema, diagnostics } = parseSchema(source, { file: "edge.ro" });
  assert.deepEqual(diagnostics, [], `unexpected diagnostics for ${JSON.stringify(source)}`);
  return schema;
}

interface Expected {
  code: string;
  line: number;
  column: number;
  message?: string;
}

/** Asserts that the source gives exactly one diagnostic, with this code and position. */
function fails(source: string, expected: Expected): Schema {
  const { schema, diagnostics } = parseSchema(source, { file: "edge.ro" });
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const [d] = diagnostics as [Diagnostic];
  assert.deepEqual(
    { code: d.code, line: d.line, column: d.column },
    { code: expected.code, line: expected.line, column: expected.column },
  );
  if (expected.message !== undefined) assert.equal(d.message, expected.message);
  assert.equal(d.file, "edge.ro");
  return schema;
}

const syntax = (line: number, column: number, what: string): Expected => ({
  code: "syntax-error",
  line,
  column,
  message: `Syntax error at line ${line}, column ${column}: expected ${what}`,
});

const API = 'method: GET path: "/a" response: R';

Deno.test("an empty file, a file of comments and a file of whitespace give an empty schema", () => {
  for (const source of ["", "// just a comment\n", "/* a */ /* b */", " \t\r\n \n"]) {
    const schema = ok(source);
    assert.equal(Object.values(schema).flat().length, 0);
  }
});

Deno.test("a // comment on the last line without a newline is accepted (relaxed)", () => {
  assert.equal(ok("model A {}\n// the end").models.length, 1);
});

Deno.test("block comments may sit between any two tokens", () => {
  const schema = ok(
    'api /*1*/ A /*2*/ { /*3*/ method: /*4*/ GET path: "/a" response: /*5*/ R triggers: [/*6*/ X /*7*/, Y] }',
  );
  assert.deepEqual(schema.apis[0]?.triggers, ["X", "Y"]);
});

Deno.test("a model may have no fields", () => {
  assert.deepEqual(ok("model Empty {}").models, [{ name: "Empty", fields: [], attributes: [] }]);
});

Deno.test("an optional array field is written T[]?", () => {
  const field = ok("model A { tags String[]? }").models[0]?.fields[0];
  assert.deepEqual(field, {
    name: "tags",
    field_type: { Array: "String" },
    optional: true,
    attributes: [],
  });
});

Deno.test("T?[] is a syntax error at the brackets", () => {
  fails("model A { x String?[] }", syntax(1, 20, "a field name or '}'"));
});

Deno.test("a model field with a colon is a syntax error at the colon", () => {
  fails("model A { id: Int }", syntax(1, 13, "a type name"));
});

Deno.test("input fields allow space around the colon and ? for optional", () => {
  const fields = ok("input I { a : String  b: Int? }").inputs[0]?.fields;
  assert.deepEqual(fields?.map((f) => [f.name, f.field_type, f.optional]), [
    ["a", "String", false],
    ["b", "Int", true],
  ]);
});

Deno.test("attributes on input fields are a syntax error at the @", () => {
  fails("input I { a: String @unique }", syntax(1, 21, "a field name or '}'"));
});

Deno.test("a lowercase method is a syntax error listing the methods", () => {
  fails(
    'api A { method: get path: "/a" response: R }',
    syntax(1, 17, "one of GET, POST, PUT, PATCH, DELETE"),
  );
});

Deno.test("whitespace before a property colon is accepted (relaxed)", () => {
  assert.equal(ok('api A { method : GET path :"/a" response\t: R }').apis[0]?.method, "GET");
});

Deno.test("an api without method, path or response reports each missing property", () => {
  const cases: [string, string][] = [
    ['api A { path: "/a" response: R }', "Invalid API definition: Missing HTTP method"],
    ["api A { method: GET response: R }", "Invalid API definition: Missing path"],
    ['api A { method: GET path: "/a" }', "Invalid API definition: Missing response"],
  ];
  for (const [source, message] of cases) {
    const schema = fails(source, { code: "missing-property", line: 1, column: 5, message });
    assert.equal(schema.apis.length, 0);
  }
});

Deno.test("an array response is a syntax error at the brackets", () => {
  fails('api A { method: GET path: "/a" response: R[] }', {
    code: "syntax-error",
    line: 1,
    column: 43,
  });
});

Deno.test("every list property accepts an empty list (relaxed)", () => {
  const schema = ok(`
    api A { ${API} triggers: [] middlewares: [ ] }
    event E { payload: P handler: [] triggers: [] }
    cron C { schedule: "* * * * *" triggers: [] }
    ws W { path: "/ws" onConnect: [] onMessage: [] onDisconnect: [] triggers: [] middlewares: [] }
  `);
  assert.deepEqual([schema.apis[0]?.triggers, schema.apis[0]?.middlewares], [[], []]);
  assert.deepEqual([schema.events[0]?.handlers, schema.events[0]?.triggers], [[], []]);
  assert.deepEqual(schema.crons[0]?.triggers, []);
  const ws = schema.websockets[0];
  assert.deepEqual(
    [ws?.on_connect, ws?.on_message, ws?.on_disconnect, ws?.triggers, ws?.middlewares],
    [[], [], [], [], []],
  );
});

Deno.test("a trailing comma in a list is a syntax error at the closing bracket", () => {
  fails(`api A { ${API} triggers: [X,] }`, syntax(1, 57, "an identifier"));
});

Deno.test("middlewares may be bare or quoted, quotes stripped", () => {
  const api = ok(`api A { ${API} middlewares: ["auth", rateLimit] }`).apis[0];
  assert.deepEqual(api?.middlewares, ["auth", "rateLimit"]);
});

Deno.test("quoted items in triggers are a syntax error", () => {
  fails(`api A { ${API} triggers: ["X"] }`, syntax(1, 55, "an identifier"));
});

Deno.test("the last occurrence of a property wins", () => {
  const api = ok(`api A { ${API} path: "/b" triggers: [X] triggers: [Y, Z] }`).apis[0];
  assert.deepEqual([api?.path, api?.triggers], ["/b", ["Y", "Z"]]);
});

Deno.test("an empty event has an empty payload and no adapter type", () => {
  assert.deepEqual(ok("event E { }").events, [
    { name: "E", payload: "", handlers: [], triggers: [] },
  ]);
});

Deno.test("the event type is case-insensitive and stored lowercase", () => {
  assert.equal(ok("event E { payload: User type: SQS }").events[0]?.adapter_type, "sqs");
  assert.equal(ok("event E { type: EventBridge }").events[0]?.adapter_type, "eventbridge");
});

Deno.test("an unknown event type is reported at the value with the original's message", () => {
  const schema = fails("event E { payload: User type: kafka }", {
    code: "invalid-event-type",
    line: 1,
    column: 31,
    message:
      "Invalid event definition: Invalid adapter type 'kafka' for event 'E'. Must be 'sqs' or 'eventbridge'",
  });
  assert.equal(schema.events[0]?.adapter_type, undefined);
});

Deno.test("an empty cron has an empty schedule", () => {
  assert.deepEqual(ok("cron C { }").crons, [{ name: "C", schedule: "", triggers: [] }]);
});

Deno.test("a ws without a path is a WebSocket error (the original said API)", () => {
  fails("ws W { onConnect: [a] }", {
    code: "missing-property",
    line: 1,
    column: 4,
    message: "Invalid WebSocket definition: Missing path",
  });
});

Deno.test("broadcast takes only true or false", () => {
  fails('ws W { path: "/ws" broadcast: yes }', syntax(1, 31, "true or false"));
  assert.equal(ok('ws W { path: "/ws" broadcast: false }').websockets[0]?.broadcast, false);
});

Deno.test("duplicate names are left to validation: the parser keeps both definitions", () => {
  assert.equal(ok("model User {}\nmodel User {}").models.length, 2);
  const mixed = ok("model User {}\ninput User {}\ninput I {}\ninput I {}\ncron C {}\ncron C {}");
  assert.deepEqual([mixed.models.length, mixed.inputs.length, mixed.crons.length], [1, 3, 2]);
  const cross = ok("model X {}\nevent X {}");
  assert.deepEqual([cross.models.length, cross.events.length], [1, 1]);
});

Deno.test("a decimal attribute argument is an error at the dot", () => {
  fails("model A { n Int @default(1.5) }", {
    code: "invalid-character",
    line: 1,
    column: 27,
    message: "Syntax error at line 1, column 27: unexpected character '.'",
  });
});

Deno.test("keywords are case-sensitive", () => {
  fails("Model User {}", syntax(1, 1, "one of model, type, input, api, event, cron, ws"));
});

Deno.test("a keyword needs a word boundary: modelUser is an error (relaxed from the original)", () => {
  const schema = fails(
    "modelUser {}",
    syntax(1, 1, "one of model, type, input, api, event, cron, ws"),
  );
  assert.equal(schema.models.length, 0);
});

Deno.test("paths are stored verbatim, {name} and :name alike", () => {
  const schema = ok(`api A { method: GET path: "/users/{id}" response: R }
api B { method: GET path: "/users/:id/posts" response: R }
api C { method: GET path: "" response: R }`);
  assert.deepEqual(schema.apis.map((a) => a.path), ["/users/{id}", "/users/:id/posts", ""]);
});

Deno.test('a backslash is literal, so \\" ends the string and the rest is an error', () => {
  const { schema, diagnostics } = parseSchema('api A { method: GET path: "/a\\"b" response: R }');
  assert.deepEqual(diagnostics[0] && [diagnostics[0].code, diagnostics[0].column], [
    "syntax-error",
    32,
  ]);
  assert.equal(schema.apis.length, 0);
});

Deno.test("strings may span lines and keep the backslash", () => {
  const cron = ok('cron C { schedule: "0 0\n* * *" timezone: "C:\\tz" }').crons[0];
  assert.deepEqual([cron?.schedule, cron?.timezone], ["0 0\n* * *", "C:\\tz"]);
});

Deno.test("attribute arguments are stored unquoted", () => {
  const fields = ok(`model A {
    a String @default("x")
    b Int @default(-1)
    c Boolean @default(false)
    d String @x()
    e String @default("a,b") @ map ( one , 2 )
  }`).models[0]?.fields;
  assert.deepEqual(fields?.map((f) => f.attributes), [
    [{ name: "default", args: ["x"] }],
    [{ name: "default", args: ["-1"] }],
    [{ name: "default", args: ["false"] }],
    [{ name: "x", args: [] }],
    [{ name: "default", args: ["a,b"] }, { name: "map", args: ["one", "2"] }],
  ]);
});

Deno.test("field types map primitives, normalise Bool and keep other names as custom", () => {
  const fields = ok(
    "input I { a: Int b: Float c: String d: Bool e: Boolean f: DateTime g: Json h: string i: User[] }",
  ).inputs[0]?.fields;
  assert.deepEqual(fields?.map((f) => f.field_type), [
    "Int",
    "Float",
    "String",
    "Boolean",
    "Boolean",
    "DateTime",
    "Json",
    { Custom: "string" },
    { Array: { Custom: "User" } },
  ]);
});

Deno.test("only one level of array is allowed, written without spaces", () => {
  fails("model A { x String[][] }", syntax(1, 21, "a field name or '}'"));
  fails("model A { x String[ ] }", syntax(1, 19, "'[]' without spaces"));
});

Deno.test("a cron may name a time zone (extension)", () => {
  const cron = ok('cron C { schedule: "0 0 * * *" timezone: "Europe/Berlin" }').crons[0];
  assert.deepEqual(cron, {
    name: "C",
    schedule: "0 0 * * *",
    triggers: [],
    timezone: "Europe/Berlin",
  });
});

Deno.test("fields and properties named like keywords stay fields and properties", () => {
  const schema = ok(`input WebSocketMessage { type: String model: Json }
model M { type String api Int }
event E { type: sqs payload: Json }`);
  assert.deepEqual(schema.inputs[0]?.fields.map((f) => f.name), ["type", "model"]);
  assert.deepEqual(schema.models[0]?.fields.map((f) => f.name), ["type", "api"]);
  assert.equal(schema.events[0]?.adapter_type, "sqs");
});

Deno.test("everything may be written on one line", () => {
  assert.equal(
    ok(`api X { ${API} } model Y { a Int b String } event Z { payload: Y }`).apis.length,
    1,
  );
});

Deno.test("an unknown property key lists the keys of its block", () => {
  fails(
    'ws W { path: "/ws" paht: "/x" }',
    syntax(
      1,
      20,
      "one of path, message, onConnect, onMessage, onDisconnect, triggers, broadcast, middlewares or '}'",
    ),
  );
});
