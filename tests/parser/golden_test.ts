/**
 * Golden test: the canonical AST JSON of the bundled hello-world schema. Regenerate with
 * `UPDATE_GOLDEN=1 deno test -A tests/parser/golden_test.ts` and review the diff.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseDirectory, schemaToJson } from "../../parser/mod.ts";

const SCHEMA_DIR = fileURLToPath(new URL("../../examples/hello-world/schema", import.meta.url));
const GOLDEN = new URL("../golden/parser/hello_world.json", import.meta.url);

Deno.test("the hello-world schema parses to the golden AST JSON", async () => {
  const { schema, diagnostics } = await parseDirectory(SCHEMA_DIR);
  assert.deepEqual(diagnostics, []);
  const actual = `${schemaToJson(schema)}\n`;
  if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(GOLDEN, actual);
  assert.equal(actual, await Deno.readTextFile(GOLDEN));
});

Deno.test("the hello-world schema has the original's counts", async () => {
  const { schema, files } = await parseDirectory(SCHEMA_DIR);
  const counts = Object.fromEntries(
    Object.entries(schema).map(([kind, list]) => [kind, list.length]),
  );
  assert.deepEqual(counts, {
    models: 1,
    types: 1,
    apis: 7,
    events: 15,
    crons: 1,
    inputs: 6,
    websockets: 1,
  });
  assert.deepEqual(files.map((f) => f.slice(SCHEMA_DIR.length + 1)), [
    "api/health.ro",
    "api/test.ro",
    "api/timeline_test.ro",
    "api/user_api.ro",
    "cron/cron.ro",
    "events/cleanup_events.ro",
    "events/timeline_events.ro",
    "events/user_events.ro",
    "models/user.ro",
    "websockets/hello_world.ro",
  ]);
});

Deno.test("the hello-world schema keeps the adapter types, six-field cron and ws settings", async () => {
  const { schema } = await parseDirectory(SCHEMA_DIR);
  const sqs = schema.events.filter((e) => e.adapter_type === "sqs").map((e) => e.name);
  assert.deepEqual(sqs, ["FastCompleted", "SlowCompleted", "BottleneckDetected"]);
  assert.equal(schema.crons[0]?.schedule, "0 */5 * * * *");
  assert.equal(schema.websockets[0]?.broadcast, true);
  assert.deepEqual(schema.websockets[0]?.middlewares, ["auth", "rate_limit", "request_logging"]);
});
