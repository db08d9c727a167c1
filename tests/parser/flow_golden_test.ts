/**
 * Golden tests of flow controls (`on handler { … }` inside an event): the AST JSON of a schema
 * that uses each control, and the diagnostics (parser and validation) of one that misuses each.
 * Regenerate with `UPDATE_GOLDEN=1 deno test -A tests/parser/flow_golden_test.ts` and review the
 * diff.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseDirectory, schemaToJson, validateSchema } from "../../parser/mod.ts";

const FIXTURES = new URL("../fixtures/flow/", import.meta.url);
const GOLDEN = new URL("../golden/parser/", import.meta.url);

async function parseFixture(name: string): ReturnType<typeof parseDirectory> {
  return await parseDirectory(fileURLToPath(new URL(name, FIXTURES)));
}

async function assertGolden(name: string, actual: string): Promise<void> {
  const file = new URL(name, GOLDEN);
  if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(file, actual);
  assert.equal(actual, await Deno.readTextFile(file));
}

Deno.test("a schema using every flow control parses to the golden AST JSON", async () => {
  const { schema, diagnostics, locations } = await parseFixture("project/schema/orders.ro");
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(validateSchema(schema, { locations }), []);
  await assertGolden("flow.json", `${schemaToJson(schema)}\n`);
});

Deno.test("misused flow controls give the golden diagnostics with stable codes and positions", async () => {
  const { schema, diagnostics, locations } = await parseFixture("invalid.ro");
  const all = [...diagnostics, ...validateSchema(schema, { locations })].map((d) => ({
    code: d.code,
    severity: d.severity,
    line: d.line,
    column: d.column,
    message: d.message,
  }));
  await assertGolden("flow_diagnostics.json", `${JSON.stringify(all, null, 2)}\n`);
});
