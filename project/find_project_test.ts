import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { ProjectNotFoundError } from "./errors.ts";
import { findProject } from "./find_project.ts";

/** A temporary tree: `files` are relative paths, created with empty content. */
async function tree(files: string[]): Promise<{ root: string } & AsyncDisposable> {
  const root = await Deno.realPath(await Deno.makeTempDir());
  for (const file of files) {
    await Deno.mkdir(join(root, file, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, file), "");
  }
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

const PROJECT = ["app/config/rohas.toml", "app/schema/models/user.ro", "app/src/handlers/api/x.ts"];

Deno.test("findProject() finds the project from its root, with absolute paths", async () => {
  await using t = await tree(PROJECT);
  const app = join(t.root, "app");
  assertEquals(await findProject(app), {
    root: app,
    schemaDir: join(app, "schema"),
    configFile: join(app, "config", "rohas.toml"),
  });
});

Deno.test("findProject() resolves a relative start against the given cwd", async () => {
  await using t = await tree(PROJECT);
  const app = join(t.root, "app");
  assertEquals((await findProject("app", { cwd: t.root })).root, app);
  assertEquals((await findProject(".", { cwd: app })).schemaDir, join(app, "schema"));
});

Deno.test("findProject() walks up from a directory inside the project", async () => {
  await using t = await tree(PROJECT);
  const app = join(t.root, "app");
  assertEquals(await findProject(join(app, "src", "handlers", "api")), {
    root: app,
    schemaDir: join(app, "schema"),
    configFile: join(app, "config", "rohas.toml"),
  });
});

Deno.test("findProject() takes a schema directory as what to parse, rooted at its project", async () => {
  await using t = await tree(PROJECT);
  const app = join(t.root, "app");
  assertEquals(await findProject(join(app, "schema")), {
    root: app,
    schemaDir: join(app, "schema"),
    configFile: join(app, "config", "rohas.toml"),
  });
  assertEquals(
    (await findProject(join(app, "schema", "models"))).schemaDir,
    join(app, "schema", "models"),
  );
});

Deno.test("findProject() takes a .ro file as what to parse, rooted at its project", async () => {
  await using t = await tree(PROJECT);
  const app = join(t.root, "app");
  const file = join(app, "schema", "models", "user.ro");
  assertEquals(await findProject(file), {
    root: app,
    schemaDir: file,
    configFile: join(app, "config", "rohas.toml"),
  });
});

Deno.test("findProject() roots a lone schema directory at its parent when it is named schema", async () => {
  await using t = await tree(["loose/schema/a.ro", "other/defs/b.ro"]);
  assertEquals(await findProject(join(t.root, "loose", "schema")), {
    root: join(t.root, "loose"),
    schemaDir: join(t.root, "loose", "schema"),
    configFile: null,
  });
  assertEquals(await findProject(join(t.root, "other", "defs")), {
    root: join(t.root, "other", "defs"),
    schemaDir: join(t.root, "other", "defs"),
    configFile: null,
  });
});

Deno.test("findProject() accepts a project with only config/rohas.toml or only schema/", async () => {
  await using t = await tree(["a/config/rohas.toml", "b/schema/x.ro"]);
  assertEquals((await findProject(join(t.root, "a"))).schemaDir, join(t.root, "a", "schema"));
  assertEquals((await findProject(join(t.root, "b"))).configFile, null);
});

Deno.test("findProject() fails clearly for a missing path and for no project at all", async () => {
  await using t = await tree(["empty/readme.txt"]);
  const missing = join(t.root, "nope");
  await rejects(findProject(missing), (error: unknown) => {
    ok(error instanceof ProjectNotFoundError);
    assertEquals(error.message, `Schema path not found: "${missing}"`);
    return true;
  });
  const empty = join(t.root, "empty");
  await rejects(findProject(empty), (error: unknown) => {
    ok(error instanceof ProjectNotFoundError);
    assertEquals(
      error.message,
      `No Rohas project found at or above "${empty}": expected config/rohas.toml or a schema/ directory`,
    );
    assertEquals(error.path, empty);
    return true;
  });
});

Deno.test("findProject() with wholeProject gives the project around a directory of .ro files", async () => {
  await using t = await tree(PROJECT);
  const app = join(t.root, "app");
  const models = join(app, "schema", "models");
  assertEquals((await findProject(models, { wholeProject: true })).schemaDir, join(app, "schema"));
  assertEquals((await findProject(models)).schemaDir, models);
});
