import assert from "node:assert/strict";
import { emptySchema } from "../parser/mod.ts";
import { parseConfig } from "../project/mod.ts";
import { buildAppModel } from "./app_model.ts";
import { HandlerResolutionError } from "./errors.ts";

function schema() {
  const s = emptySchema();
  s.apis.push({
    name: "CreateUser",
    method: "POST",
    path: "/users/{org}/:team",
    body: "In",
    response: "Out",
    triggers: ["UserCreated"],
    middlewares: ["rate_limit"],
  });
  s.events.push({ name: "UserCreated", payload: "Out", handlers: ["send_email"], triggers: [] });
  s.crons.push({ name: "DailyCleanup", schedule: "0 3 * * *", triggers: [] });
  return s;
}

const files = new Set([
  "src/handlers/api/create_user.ts",
  "src/middlewares/rate_limit.ts",
  "src/handlers/events/send_email.py",
  "src/handlers/cron/daily_cleanup.ts",
]);

Deno.test("buildAppModel() resolves every handler by kind to a file and export candidates", () => {
  const config = parseConfig(
    '[project]\nname = "shop"\n[permissions.handlers.send_email]\nnet = false\n',
    {
      file: "rohas.toml",
      projectName: "shop",
      env: {},
    },
  );
  const model = buildAppModel(schema(), config, { root: "/app", exists: (f) => files.has(f) });
  const [route] = model.routes;
  assert.deepEqual(route?.params, ["org", "team"]);
  assert.deepEqual(route?.handler.exports, ["handleCreateUser", "default"]);
  assert.equal(route?.handler.file, "/app/src/handlers/api/create_user.ts");
  assert.deepEqual(route?.middlewares[0]?.exports, ["rateLimitMiddleware", "default"]);
  const sub = model.events[0]?.subscriptions[0];
  assert.equal(sub?.group, "shop.send_email");
  assert.equal(sub?.handler.language, "python");
  assert.deepEqual(sub?.handler.exports, ["handle_send_email", "send_email"]);
  assert.equal(sub?.handler.profile, "send_email");
  assert.deepEqual(model.schedules[0]?.handler.exports, ["handleDailyCleanup", "default"]);
});

Deno.test("buildAppModel() fails at build time listing every missing handler and what was tried", () => {
  const config = parseConfig("", { file: "rohas.toml", projectName: "shop", env: {} });
  assert.throws(
    () => buildAppModel(schema(), config, { root: "/app", exists: () => false }),
    (e) =>
      e instanceof HandlerResolutionError && e.missing.length === 4 &&
      e.message.includes('"src/handlers/api/create_user.ts", "src/handlers/api/CreateUser.ts"'),
  );
});

Deno.test("buildAppModel() gives each subscription its handler's flow controls as a copy, and none to the others", () => {
  const s = schema();
  s.events[0]!.handlers.push("audit");
  const flow = { handler: "send_email", concurrency: { limit: 2, key: "id" }, delay_ms: 1000 };
  s.events[0]!.flow = [flow];
  const config = parseConfig('[project]\nname = "shop"\n', { file: "rohas.toml", env: {} });
  const model = buildAppModel(s, config, { root: "/app", exists: () => true });
  const [email, audit] = model.events[0]!.subscriptions;
  assert.deepEqual(email?.controls, { concurrency: { limit: 2, key: "id" }, delay_ms: 1000 });
  assert.equal(audit !== undefined && "controls" in audit, false);
  flow.concurrency.limit = 9;
  assert.equal(email?.controls?.concurrency?.limit, 2);
});
