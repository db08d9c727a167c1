/** `rohas codegen` from the command line: validation first, language choice, output dir. */

import assert from "node:assert/strict";
import { rohas, tempDir } from "../../testing/mod.ts";

const GOOD = `model User { id Int }
api GetUser { method: GET path: "/users/{id}" response: User }
`;

async function project(root: string, schema: string, config?: string): Promise<void> {
  await Deno.mkdir(`${root}/schema`, { recursive: true });
  await Deno.writeTextFile(`${root}/schema/app.ro`, schema);
  if (config !== undefined) {
    await Deno.mkdir(`${root}/config`, { recursive: true });
    await Deno.writeTextFile(`${root}/config/rohas.toml`, config);
  }
}

Deno.test("codegen refuses a schema with errors and prints each with file:line:col", async () => {
  await using dir = await tempDir();
  await project(
    dir.path,
    `model User { id Int }
api GetUser { method: GET path: "/users" response: Usr }
`,
  );
  const result = await rohas(["codegen"], { cwd: dir.path });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^schema\/app\.ro:2:\d+: error\[[a-z-]+\]: .*Usr/m);
  assert.match(result.stderr, /\^\^\^/);
  assert.match(result.stderr, /Error: The schema has 1 error: nothing generated/);
  await assert.rejects(Deno.stat(`${dir.path}/src`), Deno.errors.NotFound);
});

Deno.test("codegen takes the language from config/rohas.toml, the flag overriding it", async () => {
  await using dir = await tempDir();
  await project(dir.path, GOOD, '[project]\nname = "x"\nlanguage = "python"\n');
  const fromConfig = await rohas(["codegen"], { cwd: dir.path });
  assert.equal(fromConfig.code, 0, fromConfig.stderr);
  assert.match(fromConfig.stdout, /Generated python code/);
  await Deno.stat(`${dir.path}/src/generated/api/get_user.py`);
  await Deno.stat(`${dir.path}/src/handlers/api/get_user.py`);
  const fromFlag = await rohas(["codegen", "--lang", "ts"], { cwd: `${dir.path}/schema` });
  assert.equal(fromFlag.code, 0, fromFlag.stderr);
  await Deno.stat(`${dir.path}/src/generated/api/get_user.ts`);
  await assert.rejects(
    Deno.stat(`${dir.path}/src/handlers/api/get_user.ts`),
    Deno.errors.NotFound,
    "the Python handler already implements the API",
  );
});

Deno.test("codegen --output src writes project files beside src, not into it", async () => {
  await using dir = await tempDir();
  await project(dir.path, GOOD);
  const result = await rohas(["codegen", "--output", "src"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  await Deno.stat(`${dir.path}/README.md`);
  await assert.rejects(Deno.stat(`${dir.path}/src/README.md`), Deno.errors.NotFound);
  const manifest = await Deno.readTextFile(`${dir.path}/src/generated/manifest.ts`);
  assert.match(manifest, /import\.meta\.resolve\("\.\.\/\.\.\/"\)/);
});

Deno.test("codegen --output to a folder not named src makes it the root", async () => {
  await using dir = await tempDir();
  await project(dir.path, GOOD);
  const result = await rohas(["codegen", "--output", "out"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  await Deno.stat(`${dir.path}/out/generated/api/get_user.ts`);
  await Deno.stat(`${dir.path}/out/handlers/api/get_user.ts`);
  const manifest = await Deno.readTextFile(`${dir.path}/out/generated/manifest.ts`);
  assert.match(manifest, /import\.meta\.resolve\("\.\.\/"\)/);
  assert.match(manifest, /"handlers\/api\/get_user\.ts": mod0/);
});

Deno.test("codegen keeps an old project's PascalCase API handler instead of adding a stub", async () => {
  await using dir = await tempDir();
  await project(dir.path, GOOD);
  await Deno.mkdir(`${dir.path}/src/handlers/api`, { recursive: true });
  await Deno.writeTextFile(
    `${dir.path}/src/handlers/api/GetUser.ts`,
    "export default () => null;\n",
  );
  const result = await rohas(["codegen"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  await assert.rejects(Deno.stat(`${dir.path}/src/handlers/api/get_user.ts`), Deno.errors.NotFound);
  const manifest = await Deno.readTextFile(`${dir.path}/src/generated/manifest.ts`);
  assert.match(manifest, /"src\/handlers\/api\/GetUser\.ts": mod0/);
});

Deno.test("codegen prints warnings and still generates", async () => {
  await using dir = await tempDir();
  await project(dir.path, GOOD + "input Unused { a: String }\n");
  const result = await rohas(["codegen"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^schema\/app\.ro:3:\d+: warning\[[a-z-]+\]: .*Unused/m);
  await Deno.stat(`${dir.path}/src/generated/dto/unused.ts`);
});

Deno.test("codegen --help describes every option", async () => {
  await using dir = await tempDir();
  const result = await rohas(["codegen", "--help"], { cwd: dir.path });
  assert.equal(result.code, 0);
  for (const option of ["--schema", "--output", "--lang"]) {
    assert.match(result.stdout, new RegExp(option));
  }
});

Deno.test("codegen fails with a clear message outside a project or for an unknown language", async () => {
  await using dir = await tempDir();
  const outside = await rohas(["codegen"], { cwd: dir.path });
  assert.equal(outside.code, 1);
  assert.match(outside.stderr, /^Error: No Rohas project found at or above/);
  await project(dir.path, GOOD);
  const java = await rohas(["codegen", "--lang", "java"], { cwd: dir.path });
  assert.equal(java.code, 1);
  assert.equal(
    java.stderr,
    'Error: Unsupported language: "java": use typescript (ts) or python (py)\n',
  );
});

Deno.test("codegen reports a broken config/rohas.toml with its position and generates nothing", async () => {
  await using dir = await tempDir();
  await project(dir.path, GOOD, "[server]\nport = = 3\n");
  const result = await rohas(["codegen"], { cwd: dir.path });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^Error: Invalid TOML at \S*config\/rohas\.toml:2:8: /);
  await assert.rejects(Deno.stat(`${dir.path}/src`), Deno.errors.NotFound);
});
