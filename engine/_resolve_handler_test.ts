import assert from "node:assert/strict";
import { handlerCandidates, resolveHandler } from "./_resolve_handler.ts";
import { snakeCase } from "../parser/mod.ts";

const files = (kind: Parameters<typeof handlerCandidates>[0]["kind"], name: string) =>
  handlerCandidates({ kind, name, owner: "Owner" }, "typescript").map((c) =>
    `${c.language}:${c.file}:${c.exports.join("|")}`
  );

Deno.test("handlerCandidates() names TypeScript files and exports as docs/design.md says", () => {
  assert.deepEqual(files("api", "CreateUser").slice(0, 2), [
    "typescript:src/handlers/api/create_user.ts:handleCreateUser|default",
    "typescript:src/handlers/api/CreateUser.ts:handleCreateUser|default",
  ]);
  assert.deepEqual(
    files("event", "send_welcome_email")[0],
    [
      "typescript:src/handlers/events/send_welcome_email.ts",
      "handleSendWelcomeEmail|send_welcome_email|sendWelcomeEmail|default",
    ].join(":"),
  );
  assert.equal(
    files("cron", "DailyCleanup")[0],
    "typescript:src/handlers/cron/daily_cleanup.ts:handleDailyCleanup|default",
  );
  assert.equal(
    files("middleware", "rate_limit")[0],
    "typescript:src/middlewares/rate_limit.ts:rateLimitMiddleware|default",
  );
});

Deno.test("handlerCandidates() names Python files and functions as docs/compatibility.md says", () => {
  const py = (kind: Parameters<typeof handlerCandidates>[0]["kind"], name: string) =>
    handlerCandidates({ kind, name, owner: "Owner" }, "python")[0];
  assert.deepEqual(py("api", "CreateUser"), {
    file: "src/handlers/api/create_user.py",
    language: "python",
    exports: ["handle_create_user"],
  });
  assert.deepEqual(py("ws_message", "on_message_handler")?.exports, [
    "handle_on_message_handler",
    "on_message_handler",
  ]);
  assert.deepEqual(py("middleware", "rateLimit")?.exports, ["rate_limit_middleware"]);
});

Deno.test("handler file names use the parser's snake_case, the one codegen writes", () => {
  for (const name of ["CreateUser", "HTTPStatus", "getV2Items", "already_snake"]) {
    const [first] = handlerCandidates({ kind: "cron", name, owner: name }, "typescript");
    assert.equal(first?.file, `src/handlers/cron/${snakeCase(name)}.ts`);
  }
});

Deno.test("resolveHandler() prefers the project language's file when both exist", () => {
  const exists = () => true;
  const spec = { kind: "event", name: "audit", owner: "UserCreated" } as const;
  const options = { root: "/app", exists, profileOf: () => "default" };
  const ts = resolveHandler(spec, { ...options, language: "typescript" });
  const py = resolveHandler(spec, { ...options, language: "python" });
  assert.ok("ref" in ts && "ref" in py);
  assert.equal(ts.ref.file, "/app/src/handlers/events/audit.ts");
  assert.equal(py.ref.file, "/app/src/handlers/events/audit.py");
});

Deno.test("resolveHandler() lists every file tried when none exists", () => {
  const result = resolveHandler({ kind: "api", name: "GetUser", owner: "GetUser" }, {
    root: "/app",
    language: "typescript",
    exists: () => false,
    profileOf: () => "default",
  });
  assert.deepEqual(result, {
    tried: [
      "src/handlers/api/get_user.ts",
      "src/handlers/api/GetUser.ts",
      "src/handlers/api/get_user.py",
    ],
  });
});
