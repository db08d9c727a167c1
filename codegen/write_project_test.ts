import assert from "node:assert/strict";
import { generateProject, writeProject } from "./mod.ts";
import { parseSchema } from "../parser/mod.ts";

const SCHEMA = `
model User { id Int name String }
api CreateUser { method: POST path: "/users" body: User response: User }
event UserCreated { payload: User handler: [notify] }
`;

async function withProject(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "rohas_write_" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function files(source: string, language: "typescript" | "python" = "typescript") {
  return generateProject(parseSchema(source).schema, { language });
}

Deno.test("writeProject() a second time changes nothing", async () => {
  await withProject(async (root) => {
    const first = await writeProject(files(SCHEMA), { root });
    assert.ok(first.written.includes("src/generated/api/create_user.ts"));
    assert.ok(first.created.includes("src/handlers/api/create_user.ts"));
    const second = await writeProject(files(SCHEMA), { root });
    assert.deepEqual(second.written, []);
    assert.deepEqual(second.created, []);
    assert.deepEqual(second.deleted, []);
    assert.deepEqual(second.unchanged, first.written);
    assert.deepEqual(second.kept, first.created);
  });
});

Deno.test("writeProject() keeps user edits to handlers and project files", async () => {
  await withProject(async (root) => {
    await writeProject(files(SCHEMA), { root });
    const handler = `${root}/src/handlers/api/create_user.ts`;
    await Deno.writeTextFile(handler, "// mine\n");
    await Deno.writeTextFile(`${root}/deno.json`, "{}\n");
    const summary = await writeProject(files(SCHEMA), { root });
    assert.equal(await Deno.readTextFile(handler), "// mine\n");
    assert.equal(await Deno.readTextFile(`${root}/deno.json`), "{}\n");
    assert.ok(summary.kept.includes("src/handlers/api/create_user.ts"));
  });
});

Deno.test("writeProject() rewrites an edited generated file", async () => {
  await withProject(async (root) => {
    await writeProject(files(SCHEMA), { root });
    await Deno.writeTextFile(`${root}/src/generated/models/user.ts`, "// broken\n");
    const summary = await writeProject(files(SCHEMA), { root });
    assert.deepEqual(summary.written, ["src/generated/models/user.ts"]);
  });
});

Deno.test("renaming an API removes its generated module but keeps its handler", async () => {
  await withProject(async (root) => {
    await writeProject(files(SCHEMA), { root });
    const renamed = SCHEMA.replace("api CreateUser", "api AddUser");
    const summary = await writeProject(files(renamed), { root });
    assert.deepEqual(summary.deleted, ["src/generated/api/create_user.ts"]);
    assert.ok(summary.created.includes("src/handlers/api/add_user.ts"));
    await Deno.stat(`${root}/src/handlers/api/create_user.ts`);
    await Deno.stat(`${root}/src/generated/api/add_user.ts`);
    const manifest = await Deno.readTextFile(`${root}/src/generated/manifest.ts`);
    assert.match(manifest, /add_user\.ts/);
    assert.doesNotMatch(manifest, /create_user\.ts/);
  });
});

Deno.test("removing every event deletes the events folder of generated Python", async () => {
  await withProject(async (root) => {
    await writeProject(files(SCHEMA, "python"), { root });
    await Deno.mkdir(`${root}/src/generated/events/__pycache__`);
    await Deno.writeTextFile(`${root}/src/generated/events/__pycache__/x.pyc`, "");
    const without = SCHEMA.replace(/event UserCreated.*\n/, "");
    const summary = await writeProject(files(without, "python"), { root });
    assert.deepEqual(summary.deleted, ["src/generated/events/user_created.py"]);
    await Deno.stat(`${root}/src/generated/events/__init__.py`);
    await Deno.stat(`${root}/src/handlers/events/notify.py`);
  });
});
