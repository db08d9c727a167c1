/**
 * The example test `rohas init` writes for a TypeScript project (`tests/app_test.ts`, run by
 * `deno task test`): handlers called through the test kit, `@rohas/cli/testing`.
 *
 * @module
 */

/** The example test of an example project (`hello` or `blank`). */
export function initExampleTest(example: "hello" | "blank"): string {
  const head =
    `// Handlers called in this process through the real routing, validation and middlewares
// (deno task test). See the test kit's documentation for events, cron jobs and WebSockets.
import assert from "node:assert/strict";
import { createTestApp } from "@rohas/cli/testing";
import { manifest } from "../src/generated/manifest.ts";
`;
  if (example === "blank") {
    return head + `
Deno.test("GET /health answers ok", async () => {
  await using app = await createTestApp({ manifest });
  const response = await app.request("GET", "/health");
  assert.equal(response.status, 200);
  assert.equal(response.body, "ok");
});
`;
  }
  return head + `
Deno.test("creating a user publishes UserCreated and logs it", async () => {
  await using app = await createTestApp({ manifest });
  const response = await app.request("POST", "/users", {
    body: { name: "Ann", email: "ann@example.com" },
  });
  assert.equal(response.status, 200);
  assert.deepEqual(app.events.map((event) => event.topic), ["UserCreated"]);
  assert.ok(app.logs.some((entry) => entry.message === "User created"));
});

Deno.test("a body without its required fields is refused before the handler runs", async () => {
  await using app = await createTestApp({ manifest });
  const response = await app.request("POST", "/users", { body: { name: "Ann" } });
  assert.equal(response.status, 422);
  assert.deepEqual(app.events, []);
});
`;
}
