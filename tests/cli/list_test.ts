import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { rohas } from "../../testing/mod.ts";

Deno.test("rohas list-handlers prints the original's layout for hello-world, plus WebSocket handlers and middlewares", async () => {
  const run = await rohas(["list-handlers", "examples/hello-world"]);
  assertEquals(run.code, 0);
  assertEquals(run.stderr, "");
  assertEquals(
    run.stdout,
    `API Handlers:
  - Health (GET /health)
  - Test (GET /test)
  - TimelineTestFast (GET /timeline/fast)
  - TimelineTestSlow (GET /timeline/slow)
  - TimelineTestVerySlow (GET /timeline/very-slow)
  - TimelineTestMultiStep (GET /timeline/multi-step)
  - CreateUser (POST /users)

Event Handlers:
  - CleanupStep1 (handlers: [])
  - CleanupStep2 (handlers: [])
  - FastCompleted (handlers: ["fast_completed"])
  - SlowCompleted (handlers: ["slow_completed"])
  - VerySlowCompleted (handlers: ["slow_completed"])
  - BottleneckDetected (handlers: ["bottleneck_detected"])
  - MajorBottleneckDetected (handlers: ["bottleneck_detected"])
  - BottleneckLogged (handlers: [])
  - ValidationComplete (handlers: [])
  - ProcessingComplete (handlers: [])
  - ExternalCallComplete (handlers: [])
  - FinalizationComplete (handlers: [])
  - UserCreated (handlers: ["send_welcome_email"])
  - ManualTrigger (handlers: ["manual_trigger"])
  - WelcomeEmailSent (handlers: [])

Cron Jobs:
  - DailyCleanup (0 */5 * * * *)

WebSocket Handlers:
  - HelloWorld (/ws/hello; onConnect: ["on_connect_handler"], onMessage: ["on_message_handler"], onDisconnect: ["on_disconnect_handler"])

Middlewares:
  - auth (APIs: ["Test"]; WebSockets: ["HelloWorld"])
  - rate_limit (APIs: ["Test"]; WebSockets: ["HelloWorld"])
  - request_logging (APIs: ["Test"]; WebSockets: ["HelloWorld"])
`,
  );
});

Deno.test("rohas list-handlers lists each middleware with the APIs and WebSockets it guards", async () => {
  const run = await rohas(["list-handlers", "examples/hello-ts"]);
  assertEquals(run.code, 0);
  assertEquals(
    run.stdout.slice(run.stdout.indexOf("Middlewares:")),
    `Middlewares:
  - auth (APIs: ["Protected"])
  - ws_auth (WebSockets: ["Chat"])
`,
  );
});

Deno.test("rohas list-events prints each event with payload, handlers and triggers when it has some", async () => {
  const run = await rohas(["list-events", "examples/hello-world/schema"]);
  assertEquals(run.code, 0);
  ok(
    run.stdout.startsWith(`Events:

  CleanupStep1
    Payload: Json
    Handlers: []

  CleanupStep2
`),
    run.stdout,
  );
  ok(
    run.stdout.includes(`
  UserCreated
    Payload: User
    Handlers: ["send_welcome_email"]
`),
    run.stdout,
  );
  assertEquals(run.stdout.match(/^ {2}\S/gm)?.length, 15);
});

Deno.test("rohas list-events shows triggers only for events that have them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/schema`);
    await Deno.writeTextFile(
      `${dir}/schema/events.ro`,
      "event A { payload: Json handler: [a, b] triggers: [B] }\nevent B { payload: String }\n",
    );
    const run = await rohas(["list-events"], { cwd: dir });
    assertEquals(run, {
      code: 0,
      stderr: "",
      stdout: `Events:

  A
    Payload: Json
    Handlers: ["a", "b"]
    Triggers: ["B"]

  B
    Payload: String
    Handlers: []
`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rohas list-events shows each handler's flow controls as the schema writes them", async () => {
  const run = await rohas(["list-events", "tests/fixtures/flow/project"]);
  assertEquals(run.code, 0, run.stderr);
  ok(
    run.stdout.includes(
      `    On send_receipt: concurrency: 2 by customer.id; rate: 10 per 1s by customer.region; priority: 7
    On sync_crm: throttle: 100 per 1m; debounce: 5s by customer.id trailing max 30s; delay: 10s
    On index_order: concurrency: 1; batch: 50 within 500ms
    On notify_sales: debounce: 1h leading
`,
    ),
    run.stdout,
  );
});

Deno.test("rohas list-handlers and list-events print syntax errors and exit 1", async () => {
  for (const command of ["list-handlers", "list-events"]) {
    const run = await rohas([command, "tests/fixtures/invalid/syntax"]);
    assertEquals(run.code, 1);
    assertEquals(run.stdout, "");
    ok(
      run.stderr.startsWith(
        "tests/fixtures/invalid/syntax/schema/broken.ro:6:11: error[syntax-error]: ",
      ),
      run.stderr,
    );
    ok(run.stderr.endsWith("\n1 error\n"), run.stderr);
  }
});

Deno.test("rohas list-handlers and list-events have help with usage and an example", async () => {
  for (const command of ["list-handlers", "list-events"]) {
    const run = await rohas([command, "--help"]);
    assertEquals(run.code, 0);
    ok(run.stdout.startsWith(`Usage: rohas ${command} [path] [options]\n`), run.stdout);
    ok(run.stdout.includes(`Example:\n  rohas ${command} `), run.stdout);
  }
});

Deno.test("rohas --help lists validate, list-handlers and list-events", async () => {
  const run = await rohas(["--help"]);
  for (const name of ["validate", "list-handlers", "list-events"]) {
    ok(new RegExp(`^  ${name} +\\S`, "m").test(run.stdout), name);
  }
});
