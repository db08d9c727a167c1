import assert from "node:assert/strict";
import { parseDirectory } from "./parse_directory.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rohas_parser_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
}

Deno.test("parseDirectory() reads every .ro file below the directory in sorted path order", async () => {
  await withTempDir(async (dir) => {
    await write(`${dir}/z.ro`, "model Z {}");
    await write(`${dir}/b/deep/c.ro`, "model C {}");
    await write(`${dir}/a.ro`, "model A {}");
    await write(`${dir}/b.ro`, "model B {}");
    await write(`${dir}/old.roh`, "model Old {}");
    await write(`${dir}/notes.txt`, "model Txt {}");
    const { schema, files, diagnostics } = await parseDirectory(dir);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(files, [`${dir}/a.ro`, `${dir}/b.ro`, `${dir}/b/deep/c.ro`, `${dir}/z.ro`]);
    assert.deepEqual(schema.models.map((m) => m.name), ["A", "B", "C", "Z"]);
  });
});

Deno.test("parseDirectory() diagnostics carry the path of their file", async () => {
  await withTempDir(async (dir) => {
    await write(`${dir}/api/users.ro`, "api A {\n  method: get\n}");
    const { diagnostics, locations, schema } = await parseDirectory(`${dir}/`);
    assert.deepEqual(diagnostics.map((d) => [d.file, d.line, d.column]), [
      [`${dir}/api/users.ro`, 2, 11],
    ]);
    assert.equal(schema.apis.length, 0);
    assert.ok(locations instanceof WeakMap);
  });
});

Deno.test("parseDirectory() reports a missing path instead of throwing", async () => {
  const { diagnostics, files } = await parseDirectory("/no/such/rohas/schema");
  assert.deepEqual(diagnostics.map((d) => [d.code, d.message, d.file, d.line, d.column]), [
    [
      "schema-path-not-found",
      "Schema path not found: /no/such/rohas/schema",
      "/no/such/rohas/schema",
      1,
      1,
    ],
  ]);
  assert.deepEqual(files, []);
});

Deno.test("parseDirectory() reports a directory without .ro files", async () => {
  await withTempDir(async (dir) => {
    await write(`${dir}/readme.md`, "# nothing");
    const { diagnostics } = await parseDirectory(dir);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.message]), [
      ["no-schema-files", `No .ro files found in ${dir}`],
    ]);
  });
});

Deno.test("parseDirectory() parses a path that is a file on its own", async () => {
  await withTempDir(async (dir) => {
    await write(`${dir}/one.ro`, 'cron C { schedule: "* * * * *" }');
    await write(`${dir}/two.ro`, "cron D {}");
    const { schema, files } = await parseDirectory(`${dir}/one.ro`);
    assert.deepEqual(schema.crons.map((c) => c.name), ["C"]);
    assert.deepEqual(files, [`${dir}/one.ro`]);
  });
});

Deno.test("parseDirectory() follows links to files but not links to directories", async () => {
  await withTempDir(async (dir) => {
    await write(`${dir}/real/a.ro`, "model A {}");
    await Deno.symlink(`${dir}/real/a.ro`, `${dir}/link.ro`);
    await Deno.symlink(`${dir}/real`, `${dir}/loop`);
    await Deno.symlink(`${dir}/missing.ro`, `${dir}/dangling.ro`);
    const { files } = await parseDirectory(dir);
    assert.deepEqual(files, [`${dir}/link.ro`, `${dir}/real/a.ro`]);
  });
});
