import assert from "node:assert/strict";
import { parseSchema, validateSchema } from "../parser/mod.ts";
import { diffSchemas, type SchemaVersion } from "./diff.ts";

const BASE = `model User {
  id    String
  name  String
  age   Int?
  score Float
  tags  String[]
}

input CreateUserInput {
  name: String
  nickname: String?
  email: String
  count: Int
  amount: Float
}

input SearchInput {
  q: String
}

type Reply {
  message: String
  note: String?
  size: Int
  ratio: Float
}

input ChatMessage {
  text: String
  mood: String?
}

api CreateUser {
  method: POST
  path: "/users"
  body: CreateUserInput
  response: Json
  triggers: [UserCreated]
  middlewares: [auth]
}

api GetUser {
  method: GET
  path: "/users/{id}"
  response: Reply
}

event UserCreated {
  payload: User
  handler: [welcome, audit]
  triggers: [Audited]
}

event Audited {
  payload: Json
  handler: [count_audit]
}

event Spare {
  payload: Json
  handler: [spare]
}

cron Tick {
  schedule: "* * * * *"
  triggers: [Audited]
}

ws Chat {
  path: "/ws/chat"
  message: ChatMessage
  onMessage: [chat]
  triggers: [Audited]
  middlewares: [ws_auth]
}

ws Echo {
  path: "/ws/echo"
  onMessage: [echo]
}
`;

function version(source: string, file: string): SchemaVersion {
  const { schema, locations, diagnostics } = parseSchema(source, { file });
  const errors = [...diagnostics, ...validateSchema(schema, { locations })]
    .filter((d) => d.severity === "error");
  assert.deepEqual(errors.map((d) => `${d.line}:${d.column} ${d.message}`), [], file);
  return { schema, locations };
}

function edit(source: string, [from, to]: [string, string]): string {
  assert.ok(source.includes(from), `the base schema contains ${JSON.stringify(from)}`);
  return source.replace(from, to);
}

const GET_USER = 'api GetUser {\n  method: GET\n  path: "/users/{id}"\n  response: Reply\n}\n';
const ECHO = 'ws Echo {\n  path: "/ws/echo"\n  onMessage: [echo]\n}\n';

/** Change kind, whether it breaks someone, and the edit of the base schema that makes it. */
const TABLE: [string, "breaking" | "safe", [string, string]][] = [
  ["api.removed", "breaking", [GET_USER, ""]],
  ["api.added", "safe", [
    GET_USER,
    `${GET_USER}\napi Ping {\n  method: GET\n  path: "/ping"\n  response: Json\n}\n`,
  ]],
  ["api.renamed", "safe", ["api GetUser {", "api FetchUser {"]],
  ["api.method_changed", "breaking", [
    'method: GET\n  path: "/users/{id}"',
    'method: DELETE\n  path: "/users/{id}"',
  ]],
  ["api.path_changed", "breaking", ['"/users/{id}"', '"/people/{id}"']],
  ["api.path_param_renamed", "safe", ['"/users/{id}"', '"/users/:userId"']],
  ["api.body_added", "breaking", [
    "  response: Reply\n",
    "  body: SearchInput\n  response: Reply\n",
  ]],
  ["api.body_removed", "safe", ["  body: CreateUserInput\n", ""]],
  ["api.middleware_added", "breaking", [
    "  response: Reply\n",
    "  response: Reply\n  middlewares: [auth]\n",
  ]],
  ["api.middleware_removed", "safe", ["  middlewares: [auth]\n", ""]],
  ["api.trigger_added", "safe", [
    "  response: Reply\n",
    "  response: Reply\n  triggers: [Audited]\n",
  ]],
  ["api.trigger_removed", "breaking", ["  triggers: [UserCreated]\n", ""]],
  ["request.field_added_required", "breaking", [
    "  count: Int\n",
    "  count: Int\n  code: String\n",
  ]],
  ["request.field_added_optional", "safe", ["  count: Int\n", "  count: Int\n  code: String?\n"]],
  ["request.field_removed", "safe", ["  email: String\n", ""]],
  ["request.field_made_optional", "safe", ["  email: String\n", "  email: String?\n"]],
  ["request.field_made_required", "breaking", ["  nickname: String?\n", "  nickname: String\n"]],
  ["request.type_widened", "safe", ["  count: Int\n", "  count: Float\n"]],
  ["request.type_narrowed", "breaking", ["  amount: Float\n", "  amount: Int\n"]],
  ["request.type_changed", "breaking", ["  count: Int\n", "  count: String\n"]],
  ["response.field_removed", "breaking", ["  message: String\n  note", "  note"]],
  ["response.field_added_required", "safe", ["  size: Int\n", "  size: Int\n  extra: Int\n"]],
  ["response.field_added_optional", "safe", ["  size: Int\n", "  size: Int\n  extra: Int?\n"]],
  ["response.field_made_optional", "breaking", ["  message: String\n", "  message: String?\n"]],
  ["response.field_made_required", "safe", ["  note: String?\n", "  note: String\n"]],
  ["response.type_widened", "breaking", ["  size: Int\n", "  size: Float\n"]],
  ["response.type_narrowed", "safe", ["  ratio: Float\n", "  ratio: Int\n"]],
  ["response.type_changed", "breaking", ["  message: String\n", "  message: Int\n"]],
  ["payload.field_removed", "breaking", ["  name  String\n", ""]],
  ["payload.field_added_required", "breaking", [
    "  tags  String[]\n",
    "  tags  String[]\n  email String\n",
  ]],
  ["payload.field_added_optional", "safe", [
    "  tags  String[]\n",
    "  tags  String[]\n  email String?\n",
  ]],
  ["payload.field_made_optional", "breaking", ["  name  String\n", "  name  String?\n"]],
  ["payload.field_made_required", "breaking", ["  age   Int?\n", "  age   Int\n"]],
  ["payload.type_widened", "breaking", ["  age   Int?\n", "  age   Float?\n"]],
  ["payload.type_narrowed", "breaking", ["  score Float\n", "  score Int\n"]],
  ["payload.type_changed", "breaking", ["  tags  String[]\n", "  tags  String\n"]],
  ["message.field_added_required", "breaking", [
    "  mood: String?\n",
    "  mood: String?\n  room: String\n",
  ]],
  ["message.field_removed", "safe", ["  mood: String?\n", ""]],
  ["message.type_changed", "breaking", ["  text: String\n", "  text: Int\n"]],
  ["event.removed", "breaking", ["event Spare {\n  payload: Json\n  handler: [spare]\n}\n", ""]],
  ["event.added", "safe", [
    "event Spare {",
    "event Fresh {\n  payload: String\n  handler: [fresh]\n}\n\nevent Spare {",
  ]],
  ["event.renamed", "breaking", ["event Spare {", "event Extra {"]],
  ["event.handler_added", "safe", ["handler: [welcome, audit]", "handler: [welcome, audit, crm]"]],
  ["event.handler_removed", "safe", ["handler: [welcome, audit]", "handler: [welcome]"]],
  ["event.trigger_added", "safe", [
    "  handler: [spare]\n",
    "  handler: [spare]\n  triggers: [Audited]\n",
  ]],
  ["event.trigger_removed", "breaking", [
    "  triggers: [Audited]\n}\n\nevent Audited",
    "}\n\nevent Audited",
  ]],
  ["event.route_changed", "breaking", [
    "  handler: [spare]\n",
    "  handler: [spare]\n  type: eventbridge\n",
  ]],
  ["ws.removed", "breaking", [ECHO, ""]],
  ["ws.added", "safe", [
    ECHO,
    `${ECHO}\nws Ticker {\n  path: "/ws/ticker"\n  onConnect: [tick]\n}\n`,
  ]],
  ["ws.path_changed", "breaking", ['"/ws/echo"', '"/ws/echo2"']],
  ["ws.message_typed", "breaking", [
    "  onMessage: [echo]\n",
    "  message: ChatMessage\n  onMessage: [echo]\n",
  ]],
  ["ws.message_untyped", "safe", ["  message: ChatMessage\n", ""]],
  ["ws.broadcast_changed", "breaking", [
    "  onMessage: [echo]\n",
    "  onMessage: [echo]\n  broadcast: true\n",
  ]],
  ["ws.middleware_added", "breaking", [
    "  onMessage: [echo]\n",
    "  onMessage: [echo]\n  middlewares: [ws_auth]\n",
  ]],
  ["ws.middleware_removed", "safe", ["  middlewares: [ws_auth]\n", ""]],
  ["ws.trigger_removed", "breaking", [
    "  onMessage: [chat]\n  triggers: [Audited]\n",
    "  onMessage: [chat]\n",
  ]],
  ["cron.trigger_removed", "breaking", [
    '"* * * * *"\n  triggers: [Audited]',
    '"* * * * *"\n  triggers: [Spare]',
  ]],
];

Deno.test("the change table covers at least 30 kinds of change", () => {
  assert.ok(new Set(TABLE.map(([kind]) => kind)).size >= 30);
});

for (const [kind, severity, change] of TABLE) {
  Deno.test(`diffSchemas() reports ${kind} as ${severity}`, () => {
    const before = version(BASE, "old.ro");
    const after = version(edit(BASE, change), "new.ro");
    const changes = diffSchemas(before, after);
    // cron.trigger_removed also adds Spare as a new trigger: one line, two changes.
    const expected = kind === "cron.trigger_removed" ? [kind, "cron.trigger_added"] : [kind];
    assert.deepEqual(changes.map((c) => c.kind).sort(), expected.sort(), JSON.stringify(changes));
    const found = changes.find((c) => c.kind === kind)!;
    assert.equal(found.severity, severity);
    assert.equal(found.breaks.length > 0, severity === "breaking");
    assert.ok(found.position !== null, "it has a position");
    assert.equal(found.position.file, found.position.side === "old" ? "old.ro" : "new.ro");
  });
}

Deno.test("an unchanged schema has no changes", () => {
  assert.deepEqual(diffSchemas(version(BASE, "old.ro"), version(BASE, "new.ro")), []);
});

Deno.test("positions point at the changed property or field, in the side that has it", () => {
  const before = version(BASE, "old.ro");
  const edited = edit(edit(BASE, ['"/users/{id}"', '"/people/{id}"']), ["  name  String\n", ""]);
  const changes = diffSchemas(before, version(edited, "new.ro"));
  const where = (kind: string) => {
    const p = changes.find((c) => c.kind === kind)!.position!;
    return `${p.side} ${p.file}:${p.line}:${p.column}`;
  };
  // The value of `path: "/people/{id}"` in GetUser, line 43 of the new file.
  assert.equal(where("api.path_changed"), "new new.ro:43:9");
  // The removed `name  String` field's type, on line 3 of the old file.
  assert.equal(where("payload.field_removed"), "old old.ro:3:9");
});

Deno.test("breaking changes come first, each group in source order", () => {
  const edited = edit(edit(BASE, ["  count: Int\n", "  count: Int\n  code: String?\n"]), [
    "  size: Int\n",
    "  size: Float\n",
  ]);
  const changes = diffSchemas(version(BASE, "old.ro"), version(edited, "new.ro"));
  assert.deepEqual(changes.map((c) => c.severity), ["breaking", "safe"]);
});

Deno.test("a type change in a cycle of types is reported once and terminates", () => {
  const cyclic = "model Node {\n  next Node?\n  value Int\n}\n\nevent Linked {\n  payload: Node\n" +
    "  handler: [walk]\n}\n";
  const changes = diffSchemas(
    version(cyclic, "old.ro"),
    version(cyclic.replace("value Int", "value String"), "new.ro"),
  );
  assert.deepEqual(changes.map((c) => `${c.kind} ${c.message}`), [
    'payload.type_changed Event "Linked"\'s payload field "value" changed type from Int to String',
  ]);
});
