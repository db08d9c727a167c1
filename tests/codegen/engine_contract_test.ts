/**
 * The generated manifest and stubs work with the real engine, in-process: the stubs are found under
 * the export names the engine tries, API stubs answer 501, and validators reject bad bodies.
 */

import assert from "node:assert/strict";
import { createApp } from "../../engine/mod.ts";
import type { HandlerManifest } from "../../engine/runtime/mod.ts";
import { fixtureSchema, writeGenerated } from "./_helpers.ts";
import { REPO, tempDir } from "../../testing/mod.ts";

Deno.test("the engine runs a freshly generated TypeScript project's stubs in-process", async () => {
  await using dir = await tempDir();
  await writeGenerated(await fixtureSchema(), dir.path, "typescript");
  await Deno.mkdir(`${dir.path}/schema`);
  // TODO(#19): the engine refuses flow controls it does not enforce yet; this test is about the
  // handler contract, so it serves the schema without its `on handler { … }` blocks.
  const source = await Deno.readTextFile(`${REPO}/tests/fixtures/codegen/rich.ro`);
  const withoutFlow = source.replace(/^ *on \w+ \{[^}]*\}\n/gm, "");
  assert.notEqual(withoutFlow, source);
  await Deno.writeTextFile(`${dir.path}/schema/rich.ro`, withoutFlow);
  const { manifest } = await import(`file://${dir.path}/src/generated/manifest.ts`) as {
    manifest: HandlerManifest;
  };
  const app = await createApp({ manifest, cron: false, mode: "dev" });
  try {
    const stub = await app.handler(new Request("http://127.0.0.1/users/7"));
    assert.equal(stub.status, 501);
    assert.match((await stub.json()).error, /Not implemented: GetUser/);
    const invalid = await app.handler(
      new Request("http://127.0.0.1/users", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Ada", email: "a@x", tags: [1], address: {}, settings: null }),
      }),
    );
    assert.equal(invalid.status, 422);
    const paths = (await invalid.json()).details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, ["address.city", "address.street", "tags[0]"]);
  } finally {
    await app.close();
  }
});
