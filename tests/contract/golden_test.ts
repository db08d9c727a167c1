/**
 * Golden files: the documents and both clients of tests/fixtures/codegen/rich.ro.
 * `UPDATE_GOLDEN=1 deno test -A tests/contract/golden_test.ts` rewrites them.
 */

import assert from "node:assert/strict";
import {
  asyncApiDocument,
  documentText,
  openApiDocument,
  pyClient,
  tsClient,
} from "../../contract/mod.ts";
import type { Schema } from "../../parser/mod.ts";
import { fixtureSchema } from "../codegen/_helpers.ts";
import { REPO } from "../../testing/mod.ts";

const GOLDEN = `${REPO}/tests/golden/contract`;
const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";
const INFO = { title: "rich", version: "1.2.3" };

const OUTPUTS: Record<string, (schema: Schema) => string> = {
  "openapi.json": (schema) => documentText(openApiDocument(schema, INFO)),
  "asyncapi.json": (schema) =>
    documentText(asyncApiDocument(schema, { ...INFO, adapter: "kafka" })),
  "client.ts": (schema) => tsClient(schema, INFO),
  "client.py": (schema) => pyClient(schema, INFO),
};

for (const [file, generate] of Object.entries(OUTPUTS)) {
  Deno.test(`the rich schema's ${file} matches its golden file`, async () => {
    const text = generate(await fixtureSchema());
    if (UPDATE) {
      await Deno.mkdir(GOLDEN, { recursive: true });
      await Deno.writeTextFile(`${GOLDEN}/${file}`, text);
    }
    assert.equal(text, await Deno.readTextFile(`${GOLDEN}/${file}`));
  });

  Deno.test(`${file} does not depend on the declaration order or the machine`, async () => {
    const schema = await fixtureSchema();
    const shuffled: Schema = structuredClone(schema);
    for (const list of Object.values(shuffled)) (list as unknown[]).reverse();
    assert.equal(generate(shuffled), generate(schema));
    assert.equal(generate(schema).includes(REPO), false);
  });
}
