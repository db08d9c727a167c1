/**
 * Golden files: the whole generated tree of tests/fixtures/codegen/rich.ro in both languages.
 * `UPDATE_GOLDEN=1 deno test -A tests/codegen/golden_test.ts` rewrites them.
 */

import assert from "node:assert/strict";
import { generateProject } from "../../codegen/mod.ts";
import { fixtureSchema } from "./_helpers.ts";
import { REPO } from "../../testing/mod.ts";

const GOLDEN = `${REPO}/tests/golden/codegen`;
const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";

for (const language of ["typescript", "python"] as const) {
  Deno.test(`generateProject() writes the golden ${language} tree for the rich schema`, async () => {
    const files = generateProject(await fixtureSchema(), { language, projectName: "rich" });
    const dir = `${GOLDEN}/${language}`;
    if (UPDATE) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      for (const file of files) {
        const path = `${dir}/${file.path}`;
        await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
        await Deno.writeTextFile(path, file.content);
      }
    }
    const expected = await readTree(dir);
    assert.deepEqual(files.map((f) => f.path), [...expected.keys()], "the same files");
    for (const file of files) assert.equal(file.content, expected.get(file.path), file.path);
  });
}

Deno.test("generateProject() output does not depend on the order of runs", async () => {
  const schema = await fixtureSchema();
  const first = generateProject(schema, { language: "typescript" });
  const second = generateProject(structuredClone(schema), { language: "typescript" });
  assert.deepEqual(second, first);
  for (const file of first) {
    assert.equal(file.content.includes(REPO), false, `${file.path} has no absolute path`);
  }
});

async function readTree(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  async function visit(rel: string): Promise<void> {
    const entries = await Array.fromAsync(Deno.readDir(rel === "" ? dir : `${dir}/${rel}`));
    for (const entry of entries) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory) await visit(path);
      else found.set(path, await Deno.readTextFile(`${dir}/${path}`));
    }
  }
  await visit("");
  return new Map([...found].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}
