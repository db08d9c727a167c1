/**
 * What `rohas init` adds for tests (TypeScript projects): `tests/app_test.ts`, one example test
 * through the test kit (`@rohas/cli/testing`), and a `test` task in `deno.json`, with the import
 * of the kit from where the CLI comes from (JSR, a URL, or a local checkout, whose own imports are
 * given to its files through a scope).
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/** Where the test kit comes from: the same place as the CLI the tasks run. */
export type KitSource =
  | { kind: "jsr" }
  | { kind: "url"; base: string }
  | { kind: "checkout"; path: string };

/** The example test of an example project (`hello` or `blank`). */
export function exampleTest(example: "hello" | "blank"): string {
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

/**
 * The project's `deno.json` with a `test` task and the import of the kit.
 *
 * @param text the `deno.json` codegen wrote
 * @param kit where the kit comes from
 * @returns the new text
 */
export function withTestKit(text: string, kit: KitSource): string {
  const json = JSON.parse(text) as {
    tasks?: Record<string, string>;
    imports?: Record<string, string>;
    scopes?: Record<string, Record<string, string>>;
  };
  json.tasks = { ...json.tasks, test: "deno test -A tests/" };
  json.imports = { ...json.imports, "@rohas/cli/testing": kitSpecifier(kit) };
  if (kit.kind === "checkout") {
    // The checkout's files import bare names (`smol-toml`, `croner`) its own deno.json maps.
    json.scopes = { ...json.scopes, [`${kit.path}/`]: { ...denoJson.imports } };
  }
  return JSON.stringify(json, null, 2) + "\n";
}

function kitSpecifier(kit: KitSource): string {
  switch (kit.kind) {
    case "jsr":
      return `jsr:@rohas/cli@^${denoJson.version}/testing`;
    case "url":
      return `${kit.base}/testkit/mod.ts`;
    case "checkout":
      return `${kit.path}/testkit/mod.ts`;
  }
}
