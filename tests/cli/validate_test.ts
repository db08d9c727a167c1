import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { REPO, rohas } from "../../testing/mod.ts";

const FIXTURES = join(REPO, "tests", "fixtures", "invalid");

const HELLO_COUNTS = `Schema validation passed!
  - 1 models
  - 1 types
  - 6 inputs
  - 7 APIs
  - 15 events
  - 1 cron jobs
  - 1 websockets
`;

const HELLO_WARNINGS =
  `examples/hello-world/schema/api/timeline_test.ro:3:7: warning[unused-type]: Input 'TimelineTestFastInput' is never used
3 | input TimelineTestFastInput {
  |       ^^^^^^^^^^^^^^^^^^^^^
`;

Deno.test("rohas validate passes hello-world with its counts and prints its warnings", async () => {
  const run = await rohas(["validate", "examples/hello-world/schema"]);
  assertEquals(run.code, 0);
  assertEquals(run.stdout, HELLO_COUNTS);
  ok(run.stderr.startsWith(HELLO_WARNINGS), run.stderr);
  ok(run.stderr.endsWith("\n6 warnings\n"), run.stderr);
});

Deno.test("rohas validate accepts a project directory, a schema directory and one .ro file", async () => {
  const project = await rohas(["validate", "examples/hello-world"]);
  assertEquals([project.code, project.stdout], [0, HELLO_COUNTS]);
  const fromInside = await rohas(["validate"], {
    cwd: join(REPO, "examples", "hello-world", "schema", "api"),
  });
  assertEquals(fromInside.code, 0);
  ok(fromInside.stdout.includes("  - 7 APIs\n"), fromInside.stdout);
  const file = await rohas(["validate", "examples/hello-world/schema/models/user.ro"]);
  assertEquals(file.code, 0);
  ok(file.stdout.includes("  - 1 models\n  - 0 types\n"), file.stdout);
});

Deno.test("rohas validate --strict fails on warnings", async () => {
  const run = await rohas(["validate", "--strict", "examples/hello-world/schema"]);
  assertEquals(run.code, 1);
  assertEquals(run.stdout, "");
  ok(run.stderr.endsWith("\n6 warnings\nSchema validation failed\n"), run.stderr);
});

Deno.test("rohas validate prints every error with its source line and carets, then a summary", async () => {
  const run = await rohas(["validate"], { cwd: join(FIXTURES, "references") });
  assertEquals(run.code, 1);
  assertEquals(run.stdout, "");
  assertEquals(
    run.stderr,
    `schema/api/users.ro:4:13: error[undefined-type]: Undefined type 'Usr' in response of API 'GetUser': did you mean 'User'?
4 |   response: Usr
  |             ^^^

schema/api/users.ro:9:9: error[route-conflict]: Conflicting route: GET /users/:uid of API 'GetUserAgain' has the same shape as GET /users/{id} of API 'GetUser'
9 |   path: "/users/:uid"
  |         ^^^^^^^^^^^^^

schema/api/users.ro:11:14: error[undefined-event]: Undefined event 'UserCreatd' in triggers of API 'GetUserAgain': did you mean 'UserCreated'?
11 |   triggers: [UserCreatd]
   |              ^^^^^^^^^^

schema/api/users.ro:20:13: error[invalid-cron]: Invalid cron expression '0 0 32 * *' of Cron 'Nightly': day-of-month 32 is out of range 1-31
20 |   schedule: "0 0 32 * *"
   |             ^^^^^^^^^^^^

4 errors
Schema validation failed
`,
  );
});

Deno.test("rohas validate reports syntax errors from the parser and skips the reference checks", async () => {
  const run = await rohas(["validate", "tests/fixtures/invalid/syntax"]);
  assertEquals(run.code, 1);
  assertEquals(
    run.stderr,
    `tests/fixtures/invalid/syntax/schema/broken.ro:6:11: error[syntax-error]: Syntax error at line 6, column 11: expected one of GET, POST, PUT, PATCH, DELETE
6 |   method: FETCH
  |           ^^^^^

1 error
Schema validation failed
`,
  );
});

Deno.test("rohas validate reports a broken config/rohas.toml", async () => {
  const run = await rohas(["validate"], { cwd: join(FIXTURES, "config") });
  assertEquals(run.code, 1);
  const file = join(FIXTURES, "config", "config", "rohas.toml");
  assertEquals(
    run.stderr,
    `Error: Invalid config "${file}": [server] port must be an integer between 1 and 65535, got "abc"\nSchema validation failed\n`,
  );
});

Deno.test("rohas validate --json prints the diagnostics and the canonical schema", async () => {
  const run = await rohas(["validate", "--json"], { cwd: join(FIXTURES, "references") });
  assertEquals(run.code, 1);
  assertEquals(run.stderr, "");
  const report = JSON.parse(run.stdout);
  assertEquals(Object.keys(report), ["diagnostics", "schema"]);
  assertEquals(report.diagnostics[0], {
    code: "undefined-type",
    severity: "error",
    message: "Undefined type 'Usr' in response of API 'GetUser': did you mean 'User'?",
    file: "schema/api/users.ro",
    line: 4,
    column: 13,
    endLine: 4,
    endColumn: 16,
  });
  assertEquals(report.schema.apis[1], {
    name: "GetUserAgain",
    method: "GET",
    path: "/users/:uid",
    body: null,
    response: "User",
    triggers: ["UserCreatd"],
    middlewares: [],
  });
  assertEquals(Object.keys(report.schema), [
    "models",
    "types",
    "apis",
    "events",
    "crons",
    "inputs",
    "websockets",
  ]);
});

Deno.test("rohas validate --json exits 0 for a valid schema", async () => {
  const run = await rohas(["validate", "--json", "examples/hello-world"]);
  assertEquals(run.code, 0);
  const report = JSON.parse(run.stdout);
  assertEquals(report.diagnostics.length, 6);
  assertEquals(report.schema.events.length, 15);
});

Deno.test("rohas validate fails clearly for a missing path and for bad arguments", async () => {
  const missing = await rohas(["validate", "no/such/dir"]);
  assertEquals(missing, {
    code: 1,
    stdout: "",
    stderr: `Error: Schema path not found: "${join(REPO, "no/such/dir")}"\n`,
  });
  const usage = 'Usage: rohas validate [path] [options]\nRun "rohas validate --help" for more.\n';
  const unknown = await rohas(["validate", "--fast"]);
  assertEquals(unknown, {
    code: 2,
    stdout: "",
    stderr: `Error: Unknown option "--fast"\n${usage}`,
  });
  const extra = await rohas(["validate", "a", "b"]);
  assertEquals(extra, { code: 2, stdout: "", stderr: `Error: Unexpected argument "b"\n${usage}` });
});

Deno.test("rohas validate --help shows usage, options and an example", async () => {
  const run = await rohas(["validate", "--help"]);
  assertEquals(run.code, 0);
  ok(run.stdout.startsWith("Usage: rohas validate [path] [options]\n"), run.stdout);
  for (const text of ["--strict", "--json", "Example:\n  rohas validate "]) {
    ok(run.stdout.includes(text), text);
  }
});

Deno.test("deno run cli.ts validate passes hello-world in a real process", async () => {
  const output = await rohas(["validate", "examples/hello-world/schema"], { process: true });
  assertEquals(output.code, 0);
  assertEquals(output.stdout, HELLO_COUNTS);
});

Deno.test("deno run cli.ts validate fails on the broken fixture in a real process, with carets", async () => {
  const output = await rohas(["validate", "tests/fixtures/invalid/references/schema"], {
    process: true,
  });
  assertEquals(output.code, 1);
  const stderr = output.stderr;
  ok(
    stderr.startsWith(
      `tests/fixtures/invalid/references/schema/api/users.ro:4:13: error[undefined-type]: Undefined type 'Usr' in response of API 'GetUser': did you mean 'User'?
4 |   response: Usr
  |             ^^^
`,
    ),
    stderr,
  );
  ok(stderr.endsWith("\n4 errors\nSchema validation failed\n"), stderr);
});

Deno.test("rohas validate --json names a broken config/rohas.toml and exits 1", async () => {
  const run = await rohas(["validate", "--json"], { cwd: join(FIXTURES, "config") });
  assertEquals(run.code, 1);
  const report = JSON.parse(run.stdout);
  assertEquals(report.diagnostics, []);
  assertEquals(
    report.config_error,
    `Invalid config "${
      join(FIXTURES, "config", "config", "rohas.toml")
    }": [server] port must be an integer between 1 and 65535, got "abc"`,
  );
});
