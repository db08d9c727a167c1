// `rohas codegen --client/--openapi/--asyncapi`: what the CLI writes, and its usage errors.
import assert from "node:assert/strict";
import { documentText, projectAsyncApi, projectOpenApi } from "../../contract/mod.ts";
import { parseDirectory } from "../../parser/mod.ts";
import { loadConfig } from "../../project/mod.ts";
import { copyDir } from "../engine/_server.ts";
import { REPO, rohas, tempDir } from "../../testing/mod.ts";

const EXAMPLE = `${REPO}/examples/hello-ts`;

Deno.test("rohas codegen writes the OpenAPI document to a file and the AsyncAPI one to stdout", async () => {
  await using dir = await tempDir();
  const result = await rohas(
    ["codegen", "--openapi", `${dir.path}/api/openapi.json`, "--asyncapi", "-"],
    { cwd: EXAMPLE },
  );
  assert.equal(result.code, 0, result.stderr);
  const { schema } = await parseDirectory(`${EXAMPLE}/schema`);
  const { config } = await loadConfig(EXAMPLE);
  assert.equal(
    await Deno.readTextFile(`${dir.path}/api/openapi.json`),
    documentText(projectOpenApi(schema, config)),
  );
  assert.equal(result.stdout, documentText(projectAsyncApi(schema, config)));
});

Deno.test("rohas codegen --client writes into <project>/client by default, nothing else", async () => {
  await using dir = await tempDir();
  await copyDir(`${EXAMPLE}/schema`, `${dir.path}/schema`);
  await copyDir(`${EXAMPLE}/config`, `${dir.path}/config`);
  const result = await rohas(["codegen", "--client", "python"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  const entries = (await Array.fromAsync(Deno.readDir(dir.path))).map((e) => e.name).sort();
  assert.deepEqual(entries, ["client", "config", "schema"]);
  assert.match(await Deno.readTextFile(`${dir.path}/client/client.py`), /class RohasClient/);
});

Deno.test("rohas codegen rejects an unknown client language and --out without --client", async () => {
  const unknown = await rohas(["codegen", "--client", "go"], { cwd: EXAMPLE });
  assert.deepEqual([unknown.code, unknown.stderr], [
    1,
    'Error: Unknown client language "go": use ts or python\n',
  ]);
  const out = await rohas(["codegen", "--out", "x"], { cwd: EXAMPLE });
  assert.deepEqual([out.code, out.stderr], [
    2,
    'Error: --out needs --client\nUsage: rohas codegen [path] [options]\nRun "rohas codegen --help" for more.\n',
  ]);
});

Deno.test("rohas codegen --openapi writes nothing when the schema has an error", async () => {
  await using dir = await tempDir();
  await copyDir(`${EXAMPLE}/schema`, `${dir.path}/schema`);
  const api = `${dir.path}/schema/api.ro`;
  await Deno.writeTextFile(
    api,
    (await Deno.readTextFile(api)).replace("response: Greeting", "response: Greting"),
  );
  const result = await rohas(["codegen", "--openapi", "openapi.json"], { cwd: dir.path });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Error: The schema has 1 error: nothing written/);
  await assert.rejects(Deno.stat(`${dir.path}/openapi.json`), Deno.errors.NotFound);
});
