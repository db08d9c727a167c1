import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type {
  Api,
  Cron,
  Event,
  Input,
  Model,
  Schema,
  SchemaLocations,
  Span,
  TypeDef,
  WebSocket,
} from "./ast.ts";
import { emptySchema } from "./ast.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { validateSchema, VALIDATION_CODES } from "./validate.ts";

// Hand-built schemas with hand-built positions: one "line" per node, so each assertion checks
// that a diagnostic lands on the right node's name, property value or list item.

function span(line: number, column: number, length = 1): Span {
  return {
    file: "s.ro",
    line,
    column,
    endLine: line,
    endColumn: column + length,
    offset: 0,
    endOffset: length,
  };
}

class Builder {
  readonly schema: Schema = emptySchema();
  readonly locations: SchemaLocations = new WeakMap();
  #line = 0;

  /** Registers a node on the next line: name at column 5, properties at 20, items at 40 + 10*i. */
  #locate<T extends object>(
    node: T,
    keys: { properties?: string[]; items?: Record<string, number> } = {},
  ): T {
    const line = ++this.#line;
    const properties: Partial<Record<string, Span>> = {};
    for (const key of keys.properties ?? []) properties[key] = span(line, 20, 3);
    const items: Partial<Record<string, Span[]>> = {};
    for (const [key, count] of Object.entries(keys.items ?? {})) {
      items[key] = Array.from({ length: count }, (_, i) => span(line, 40 + 10 * i, 2));
    }
    this.locations.set(node, {
      span: span(line, 1, 80),
      name: span(line, 5, 4),
      properties,
      items,
    });
    return node;
  }

  get line(): number {
    return this.#line;
  }

  model(name: string, fields: [string, Model["fields"][number]["field_type"]][] = []): Model {
    const model = this.#locate({ name, fields: [], attributes: [] } as Model);
    for (const [fieldName, fieldType] of fields) {
      model.fields.push(
        this.#locate({ name: fieldName, field_type: fieldType, optional: false, attributes: [] }, {
          properties: ["type"],
        }),
      );
    }
    this.schema.models.push(model);
    return model;
  }

  type(name: string, fields: [string, Model["fields"][number]["field_type"]][] = []): TypeDef {
    const type = this.#locate({ name, fields: [] } as TypeDef);
    for (const [fieldName, fieldType] of fields) {
      type.fields.push(
        this.#locate({ name: fieldName, field_type: fieldType, optional: false, attributes: [] }, {
          properties: ["type"],
        }),
      );
    }
    this.schema.types.push(type);
    return type;
  }

  input(name: string): Input {
    const input = this.#locate({ name, fields: [] });
    this.schema.inputs.push(input);
    return input;
  }

  api(name: string, fields: Partial<Api> = {}): Api {
    const api: Api = {
      name,
      method: "GET",
      path: "/" + name.toLowerCase(),
      body: null,
      response: "String",
      triggers: [],
      middlewares: [],
      ...fields,
    };
    this.schema.apis.push(this.#locate(api, {
      properties: ["method", "path", "body", "response"],
      items: { triggers: api.triggers.length, middlewares: api.middlewares.length },
    }));
    return api;
  }

  event(name: string, fields: Partial<Event> = {}): Event {
    const event: Event = {
      name,
      payload: "Json",
      handlers: ["handle_" + name.toLowerCase()],
      triggers: [],
      ...fields,
    };
    this.schema.events.push(this.#locate(event, {
      properties: ["payload"],
      items: { handler: event.handlers.length, triggers: event.triggers.length },
    }));
    return event;
  }

  cron(name: string, fields: Partial<Cron> = {}): Cron {
    const cron: Cron = { name, schedule: "0 */5 * * * *", triggers: [], ...fields };
    this.schema.crons.push(
      this.#locate(cron, {
        properties: ["schedule", "timezone"],
        items: { triggers: cron.triggers.length },
      }),
    );
    return cron;
  }

  ws(name: string, fields: Partial<WebSocket> = {}): WebSocket {
    const ws: WebSocket = {
      name,
      path: "/ws",
      message: null,
      on_connect: [],
      on_message: [],
      on_disconnect: [],
      triggers: [],
      broadcast: false,
      middlewares: [],
      ...fields,
    };
    this.schema.websockets.push(this.#locate(ws, {
      properties: ["path", "message"],
      items: {
        onConnect: ws.on_connect.length,
        onMessage: ws.on_message.length,
        onDisconnect: ws.on_disconnect.length,
        triggers: ws.triggers.length,
        middlewares: ws.middlewares.length,
      },
    }));
    return ws;
  }

  validate(): Diagnostic[] {
    return validateSchema(this.schema, { locations: this.locations });
  }
}

/** The diagnostics reduced to `line:column code message`, for compact exact assertions. */
function brief(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);
}

Deno.test("validateSchema() accepts a consistent schema with no diagnostics", () => {
  const b = new Builder();
  b.model("User", [["id", "Int"], ["tags", { Array: "String" }]]);
  b.input("CreateUserInput");
  b.api("CreateUser", {
    method: "POST",
    path: "/users",
    body: "CreateUserInput",
    response: "User",
    triggers: ["UserCreated"],
    middlewares: ["auth"],
  });
  b.api("GetUser", { path: "/users/{id}", response: "User" });
  b.event("UserCreated", { payload: "User", handlers: ["send_welcome_email"] });
  b.cron("Cleanup", { schedule: "0 0 * * *", timezone: "Europe/Berlin" });
  b.ws("Chat", { path: "/ws/chat", message: "Json", on_message: ["on_message"] });
  assertEquals(b.validate(), []);
});

Deno.test("validateSchema() reports duplicates in every kind in one namespace with the original's wording", () => {
  const b = new Builder();
  b.model("User");
  b.model("User");
  b.type("User");
  b.input("User");
  b.input("I");
  b.input("I");
  b.api("X", { path: "/x" });
  b.event("X");
  b.cron("C");
  b.cron("C");
  b.ws("X");
  const duplicates = b.validate().filter((d) => d.code === VALIDATION_CODES.duplicateDefinition);
  assertEquals(brief(duplicates), [
    "2:5 error duplicate-definition Duplicate definition: Model 'User'",
    "3:5 error duplicate-definition Duplicate definition: Type 'User'",
    "4:5 error duplicate-definition Duplicate definition: Input 'User'",
    "6:5 error duplicate-definition Duplicate definition: Input 'I'",
    "8:5 error duplicate-definition Duplicate definition: Event 'X'",
    "10:5 error duplicate-definition Duplicate definition: Cron 'C'",
    "11:5 error duplicate-definition Duplicate definition: WebSocket 'X'",
  ]);
});

Deno.test("validateSchema() reports undefined types in fields, body, response, payload and message", () => {
  const b = new Builder();
  b.model("User", [["name", { Custom: "string" }], ["friends", { Array: { Custom: "Usr" } }]]);
  b.type("Page", [["items", { Array: { Custom: "Item" } }]]);
  b.api("CreateUser", { method: "POST", path: "/users", body: "CreateUserInpt", response: "Usr" });
  b.event("Created", { payload: "Usr" });
  b.ws("Chat", { message: "Mesage" });
  const diagnostics = b.validate().filter((d) => d.code === VALIDATION_CODES.undefinedType);
  assertEquals(brief(diagnostics), [
    "2:20 error undefined-type Undefined type 'string' in field 'name' of Model 'User': did you mean 'String'?",
    "3:20 error undefined-type Undefined type 'Usr' in field 'friends' of Model 'User': did you mean 'User'?",
    "5:20 error undefined-type Undefined type 'Item' in field 'items' of Type 'Page'",
    "6:20 error undefined-type Undefined type 'CreateUserInpt' in body of API 'CreateUser'",
    "6:20 error undefined-type Undefined type 'Usr' in response of API 'CreateUser': did you mean 'User'?",
    "7:20 error undefined-type Undefined type 'Usr' in payload of Event 'Created': did you mean 'User'?",
    "8:20 error undefined-type Undefined type 'Mesage' in message of WebSocket 'Chat'",
  ]);
});

Deno.test("validateSchema() accepts every primitive, including the Bool alias, and models, types and inputs", () => {
  const b = new Builder();
  for (const primitive of ["Int", "Float", "String", "Boolean", "Bool", "DateTime", "Json"]) {
    b.event(`E${primitive}`, { payload: primitive });
  }
  b.model("M");
  b.type("T");
  b.input("I");
  b.api("A", { method: "POST", body: "I", response: "T" });
  b.event("EM", { payload: "M" });
  assertEquals(b.validate(), []);
});

Deno.test("validateSchema() reports undefined events in the triggers of every kind, at the item", () => {
  const b = new Builder();
  b.event("UserCreated", { handlers: ["h"] });
  b.api("A", { triggers: ["UserCreated", "UserCreatd"] });
  b.event("E", { triggers: ["Nope"] });
  b.cron("C", { triggers: ["Missing"] });
  b.ws("W", { triggers: ["Gone"] });
  assertEquals(brief(b.validate().filter((d) => d.code === VALIDATION_CODES.undefinedEvent)), [
    "2:50 error undefined-event Undefined event 'UserCreatd' in triggers of API 'A': did you mean 'UserCreated'?",
    "3:40 error undefined-event Undefined event 'Nope' in triggers of Event 'E'",
    "4:40 error undefined-event Undefined event 'Missing' in triggers of Cron 'C'",
    "5:40 error undefined-event Undefined event 'Gone' in triggers of WebSocket 'W'",
  ]);
});

Deno.test("validateSchema() reports a missing event payload and a missing cron schedule at the name", () => {
  const b = new Builder();
  b.event("E", { payload: "" });
  b.cron("C", { schedule: "" });
  assertEquals(brief(b.validate()), [
    "1:5 error missing-payload Invalid event definition: Missing payload for event 'E'",
    "2:5 error missing-schedule Invalid cron definition: Missing schedule for cron 'C'",
  ]);
});

Deno.test("validateSchema() reports each kind of invalid path at the path value", () => {
  const paths = [
    ["", "it must start with '/'"],
    ["users", "it must start with '/'"],
    ["/users//x", "it has an empty segment ('//')"],
    ["/users?x=1", "it must not contain whitespace, '?' or '#'"],
    ["/a b", "it must not contain whitespace, '?' or '#'"],
    ["/users/{id", "it has unbalanced braces in '{id': a parameter is a whole segment, '{name}'"],
    ["/users/id}", "it has unbalanced braces in 'id}': a parameter is a whole segment, '{name}'"],
    [
      "/file.{ext}",
      "it has unbalanced braces in 'file.{ext}': a parameter is a whole segment, '{name}'",
    ],
    ["/users/{}", "it has an invalid parameter '{}': the name must be an identifier"],
    ["/users/{1d}", "it has an invalid parameter '{1d}': the name must be an identifier"],
    ["/users/:", "it has an invalid parameter ':': the name must be an identifier"],
    ["/users/:user-id", "it has an invalid parameter ':user-id': the name must be an identifier"],
    ["/a/{id}/b/:id", "it has the parameter 'id' twice"],
  ];
  const b = new Builder();
  paths.forEach(([path], i) => b.api(`A${i}`, { path: path!, method: "POST" }));
  assertEquals(
    brief(b.validate()),
    paths.map(([path, problem], i) =>
      `${i + 1}:20 error invalid-path Invalid path '${path}' of API 'A${i}': ${problem}`
    ),
  );
});

Deno.test("validateSchema() accepts the root, a trailing slash, both parameter forms and percent signs", () => {
  const b = new Builder();
  for (
    const [i, path] of ["/", "/users/", "/users/{id}/posts/:postId", "/a%20b", "/_rohasx"].entries()
  ) {
    b.api(`A${i}`, { path });
  }
  assertEquals(b.validate(), []);
});

Deno.test("validateSchema() reports routes with the same method and shape, and WebSockets shadowing GET", () => {
  const b = new Builder();
  b.api("GetUser", { path: "/users/{id}" });
  b.api("GetUserToo", { path: "/users/:uid" });
  b.api("DeleteUser", { method: "DELETE", path: "/users/{id}" });
  b.api("List", { path: "/users" });
  b.api("ListSlash", { path: "/users/" });
  b.api("Me", { path: "/users/me" });
  b.ws("Socket", { path: "/users/{x}" });
  b.api("Post", { method: "POST", path: "/ws" });
  b.ws("Fine", { path: "/ws" });
  assertEquals(brief(b.validate()), [
    "2:20 error route-conflict Conflicting route: GET /users/:uid of API 'GetUserToo' has the same shape as GET /users/{id} of API 'GetUser'",
    "5:20 error route-conflict Conflicting route: GET /users/ of API 'ListSlash' has the same shape as GET /users of API 'List'",
    "7:20 error route-conflict Conflicting route: WebSocket /users/{x} of WebSocket 'Socket' has the same shape as GET /users/{id} of API 'GetUser'",
  ]);
});

Deno.test("validateSchema() reports paths under /_rohas/ and /api/workbench/ as reserved", () => {
  const b = new Builder();
  b.api("A", { path: "/_rohas/health" });
  b.api("B", { path: "/api/workbench" });
  b.ws("W", { path: "/api/workbench/{x}" });
  const reserved = "belong to the engine";
  assertEquals(brief(b.validate()), [
    `1:20 error reserved-path Reserved path '/_rohas/health' of API 'A': paths under '/_rohas/' and '/api/workbench/' ${reserved}`,
    `2:20 error reserved-path Reserved path '/api/workbench' of API 'B': paths under '/_rohas/' and '/api/workbench/' ${reserved}`,
    `3:20 error reserved-path Reserved path '/api/workbench/{x}' of WebSocket 'W': paths under '/_rohas/' and '/api/workbench/' ${reserved}`,
  ]);
});

Deno.test("validateSchema() accepts 5, 6 and 7 field crons and nicknames, with 1-7 weekdays for 6 fields", () => {
  const b = new Builder();
  const schedules = [
    "*/5 * * * *",
    "0 0 * * 0",
    "0 0 * * 7",
    "0 */5 * * * *",
    "0 0 9 * * 1-7",
    "0 0 9 * * SUN",
    "0 0 0 1 1 * 2030",
    "@daily",
  ];
  schedules.forEach((schedule, i) => b.cron(`C${i}`, { schedule }));
  assertEquals(b.validate(), []);
});

Deno.test("validateSchema() reports invalid cron expressions at the schedule value", () => {
  const b = new Builder();
  b.cron("Four", { schedule: "* * * *" });
  b.cron("Minute", { schedule: "61 * * * *" });
  b.cron("Sunday0", { schedule: "0 0 0 * * 0" });
  b.cron("Eight", { schedule: "0 0 0 * * 8" });
  b.cron("Words", { schedule: "every minute" });
  b.cron("Name", { schedule: "* * * * Funday" });
  const diagnostics = b.validate();
  assertEquals(diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`), [
    "1:20 invalid-cron",
    "2:20 invalid-cron",
    "3:20 invalid-cron",
    "4:20 invalid-cron",
    "5:20 invalid-cron",
    "6:20 invalid-cron",
  ]);
  const fromCroner = "Invalid cron expression '* * * * Funday' of Cron 'Name': ";
  assertEquals(diagnostics[5]!.message.startsWith(fromCroner), true);
  assertEquals(
    diagnostics[0]!.message,
    "Invalid cron expression '* * * *' of Cron 'Four': expected 5 fields (minute first), 6 (seconds first) or 7 (with a year), got 4",
  );
  assertEquals(
    diagnostics[1]!.message,
    "Invalid cron expression '61 * * * *' of Cron 'Minute': minute 61 is out of range 0-59",
  );
  assertEquals(
    diagnostics[2]!.message,
    "Invalid cron expression '0 0 0 * * 0' of Cron 'Sunday0': day-of-week 0 is out of range 1-7",
  );
  assertEquals(
    diagnostics[3]!.message,
    "Invalid cron expression '0 0 0 * * 8' of Cron 'Eight': day-of-week 8 is out of range 1-7",
  );
});

Deno.test("validateSchema() reports an unknown time zone at the timezone value", () => {
  const b = new Builder();
  b.cron("C", { schedule: "0 0 * * *", timezone: "Mars/Olympus" });
  assertEquals(brief(b.validate()), [
    "1:20 error unknown-timezone Unknown time zone 'Mars/Olympus' of Cron 'C': use an IANA name such as 'Europe/Berlin'",
  ]);
});

Deno.test("validateSchema() reports handler and middleware names that are not identifiers, at the item", () => {
  const b = new Builder();
  b.event("E", { handlers: ["ok_handler", "1st"] });
  b.ws("W", {
    on_connect: ["connect"],
    on_message: ["on-message"],
    on_disconnect: ["bye now"],
    middlewares: ["auth", "rate-limit"],
  });
  b.api("A", { middlewares: ["_private", "9lives"] });
  const rule = "use letters, digits and '_', not starting with a digit";
  assertEquals(brief(b.validate()), [
    `1:50 error invalid-handler-name Invalid handler name '1st' in Event 'E': ${rule}`,
    `2:40 error invalid-handler-name Invalid handler name 'on-message' in WebSocket 'W': ${rule}`,
    `2:40 error invalid-handler-name Invalid handler name 'bye now' in WebSocket 'W': ${rule}`,
    `2:50 error invalid-middleware-name Invalid middleware name 'rate-limit' in WebSocket 'W': ${rule}`,
    `3:50 error invalid-middleware-name Invalid middleware name '9lives' in API 'A': ${rule}`,
  ]);
});

Deno.test("validateSchema() warns about an event with no handler that nothing triggers", () => {
  const b = new Builder();
  b.event("Orphan", { handlers: [] });
  b.event("Triggered", { handlers: [] });
  b.event("SelfOnly", { handlers: [], triggers: ["SelfOnly"] });
  b.api("A", { triggers: ["Triggered"] });
  assertEquals(brief(b.validate().filter((d) => d.code === VALIDATION_CODES.unusedEvent)), [
    "1:5 warning unused-event Event 'Orphan' has no handler and no definition triggers it",
    "3:5 warning unused-event Event 'SelfOnly' has no handler and no definition triggers it",
  ]);
});

Deno.test("validateSchema() warns about inputs and types nothing refers to, but not models", () => {
  const b = new Builder();
  b.model("Lonely");
  b.input("UnusedInput");
  b.type("UnusedType", [["self", { Custom: "UnusedType" }]]);
  b.type("Nested");
  b.type("Outer", [["inner", { Array: { Custom: "Nested" } }]]);
  b.api("A", { response: "Outer" });
  assertEquals(brief(b.validate()), [
    "2:5 warning unused-type Input 'UnusedInput' is never used",
    "3:5 warning unused-type Type 'UnusedType' is never used",
  ]);
});

Deno.test("validateSchema() warns about event trigger cycles at the item that closes them", () => {
  const b = new Builder();
  b.event("Loop", { triggers: ["Loop"] });
  b.event("A", { triggers: ["B"] });
  b.event("B", { triggers: ["C", "Done"] });
  b.event("C", { triggers: ["A"] });
  b.event("Done");
  assertEquals(brief(b.validate()), [
    "1:40 warning trigger-cycle Event 'Loop' triggers itself: every occurrence repeats forever",
    "2:40 warning trigger-cycle Event 'A' triggers 'B', which leads back to 'A': every occurrence repeats forever",
    "3:40 warning trigger-cycle Event 'B' triggers 'C', which leads back to 'B': every occurrence repeats forever",
    "4:40 warning trigger-cycle Event 'C' triggers 'A', which leads back to 'C': every occurrence repeats forever",
  ]);
});

Deno.test("validateSchema() warns about a handler listed twice in one list", () => {
  const b = new Builder();
  b.event("E", { handlers: ["h", "h"] });
  assertEquals(brief(b.validate()), [
    "1:50 warning duplicate-handler Handler 'h' is listed twice in handler of Event 'E'",
  ]);
});

Deno.test("validateSchema() places diagnostics of hand-built schemas at line 1 column 1 of the given file", () => {
  const schema = emptySchema();
  schema.models.push({ name: "User", fields: [], attributes: [] }, {
    name: "User",
    fields: [],
    attributes: [],
  });
  schema.apis.push({
    name: "A",
    method: "GET",
    path: "x",
    body: null,
    response: "Nope",
    triggers: [],
    middlewares: [],
  });
  assertEquals(
    validateSchema(schema, { file: "hand.ro" }).map((
      d,
    ) => [d.file, d.line, d.column, d.endLine, d.endColumn, d.code]),
    [
      ["hand.ro", 1, 1, 1, 1, "duplicate-definition"],
      ["hand.ro", 1, 1, 1, 1, "invalid-path"],
      ["hand.ro", 1, 1, 1, 1, "undefined-type"],
    ],
  );
  assertEquals(validateSchema(schema)[0]!.file, "<schema>");
});

Deno.test("validateSchema() reports every problem at once, sorted by position", () => {
  // The api is the duplicate: models come before apis in the namespace, as in the original.
  const b = new Builder();
  b.api("A", { path: "bad", response: "Nope", triggers: ["Missing"] });
  b.model("A");
  const lines = b.validate().map((d) => `${d.line}:${d.column} ${d.code}`);
  assertEquals(lines, [
    "1:5 duplicate-definition",
    "1:20 invalid-path",
    "1:20 undefined-type",
    "1:40 undefined-event",
  ]);
});

Deno.test("validateSchema() uses the parser's positions: names, property values and list items", async () => {
  const { parseSchema } = await import("./parse.ts");
  const source = [
    "model User { friend Usr }", // 1
    'api A { method: GET path: "users" response: User triggers: [Gone] middlewares: ["rate-limit"] }',
    "event E { payload: User handler: [h] triggers: [E] }", // 3
    'cron C { schedule: "* * * *" timezone: "Nowhere/City" }', // 4
    'ws W { path: "/ws" message: Msg onConnect: ["bad"] }', // 5
    "model User {}", // 6
  ].join("\n");
  const { schema, locations, diagnostics: parseDiagnostics } = parseSchema(source, {
    file: "p.ro",
  });
  const syntax = parseDiagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);
  const diagnostics = validateSchema(schema, { locations, file: "p.ro" });
  const lines = diagnostics.map((d) => `${d.file}:${d.line}:${d.column}-${d.endColumn} ${d.code}`);
  // `onConnect: ["bad"]` is a parse error (handler lists take identifiers), so ws W keeps no handler.
  assertEquals(syntax.length, 1);
  assertEquals(lines, [
    "p.ro:1:21-24 undefined-type",
    "p.ro:2:27-34 invalid-path",
    "p.ro:2:61-65 undefined-event",
    "p.ro:2:81-93 invalid-middleware-name",
    "p.ro:3:49-50 trigger-cycle",
    "p.ro:4:20-29 invalid-cron",
    "p.ro:4:40-54 unknown-timezone",
    "p.ro:5:29-32 undefined-type",
    "p.ro:6:7-11 duplicate-definition",
  ]);
});

Deno.test("validateSchema() reports names whose generated files would collide", () => {
  const b = new Builder();
  b.type("UserId");
  b.input("userId");
  b.api("GetUser", { method: "POST", path: "/a", response: "UserId", body: "userId" });
  b.api("getUser", { path: "/b" });
  b.model("Get_user"); // models/get_user: another folder, no conflict
  assertEquals(brief(b.validate()), [
    "2:5 error file-name-conflict Generated file conflict: Input 'userId' and Type 'UserId' both generate src/generated/dto/user_id",
    "4:5 error file-name-conflict Generated file conflict: API 'getUser' and API 'GetUser' both generate src/generated/api/get_user",
  ]);
});

Deno.test("validateSchema() never throws on random schemas and always returns sorted diagnostics", () => {
  let seed = 20261128;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const names = ["A", "B", "a", "User", "user", "Usr", "", "1x", "E", "é", "Json", "Bool"];
  const paths = ["/", "", "/a", "/a/", "/a/{id}", "/a/:id", "/{", "//", "/_rohas/x", "/a?b", "/:"];
  const crons = ["", "* * * * *", "0 0 * * * *", "x", "@daily", "61 * * * *", "1 2 3 4 5 6 7 8"];
  const list = (): string[] => Array.from({ length: Math.floor(random() * 3) }, () => pick(names));
  for (let round = 0; round < 300; round++) {
    const b = new Builder();
    for (let i = 0; i < 8; i++) {
      switch (Math.floor(random() * 6)) {
        case 0:
          b.model(pick(names), [[pick(names), pick([{ Custom: pick(names) }, "Int" as const])]]);
          break;
        case 1:
          b.api(pick(names), { path: pick(paths), response: pick(names), triggers: list() });
          break;
        case 2:
          b.event(pick(names), { payload: pick(names), handlers: list(), triggers: list() });
          break;
        case 3:
          b.cron(pick(names), { schedule: pick(crons), triggers: list() });
          break;
        case 4:
          b.ws(pick(names), { path: pick(paths), on_message: list(), middlewares: list() });
          break;
        default:
          b.type(pick(names), [[pick(names), { Array: { Custom: pick(names) } }]]);
      }
    }
    const diagnostics = b.validate();
    for (let i = 1; i < diagnostics.length; i++) {
      const [previous, current] = [diagnostics[i - 1]!, diagnostics[i]!];
      const ordered = previous.line < current.line ||
        (previous.line === current.line && previous.column <= current.column);
      assertEquals(ordered, true, `round ${round}: diagnostics out of order`);
    }
    for (const d of diagnostics) {
      assertEquals(d.line >= 1 && d.line <= b.line && d.column >= 1, true, `round ${round}`);
    }
  }
});

Deno.test("validateSchema() warns about a GET api whose body a query string cannot carry", () => {
  const b = new Builder();
  b.input("Filter");
  b.input("Nested");
  b.schema.inputs[1]!.fields.push({
    name: "where",
    field_type: { Custom: "Filter" },
    optional: false,
    attributes: [],
  });
  b.api("Search", { method: "GET", path: "/search", body: "Filter" });
  b.api("Find", { method: "GET", path: "/find", body: "Nested" });
  b.api("Create", { method: "POST", path: "/search", body: "Nested" });
  assertEquals(brief(b.validate()), [
    "4:20 warning body-on-get API 'Find' is a GET, so its body 'Nested' is read from the query string, which cannot carry field 'where': use POST or primitive fields",
  ]);
});

Deno.test("validateSchema() passes one hand-built model User and fails a second (the original's T8)", () => {
  const schema = emptySchema();
  schema.models.push({ name: "User", fields: [], attributes: [] });
  assertEquals(validateSchema(schema), []);
  schema.models.push({ name: "User", fields: [], attributes: [] });
  assertEquals(
    validateSchema(schema).map((d) => [d.severity, d.code, d.message]),
    [["error", "duplicate-definition", "Duplicate definition: Model 'User'"]],
  );
});
