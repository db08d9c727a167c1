/**
 * `rohas init` then `deno task codegen` then type checks, in a temporary directory, for both
 * languages, with the deno.json tasks pointing at this checkout (`--rohas`).
 */

import assert from "node:assert/strict";
import { plain, requirePythonModule, run } from "./_helpers.ts";
import { REPO, rohas, tempDir } from "../../testing/mod.ts";

Deno.test("init, then deno task codegen, then deno check pass for a TypeScript project", async () => {
  await using dir = await tempDir();
  const created = await rohas(["init", "app", "--rohas", REPO], { cwd: dir.path });
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /cd app\n {2}deno task dev {8}\(the workbench is at \/_rohas\/\)\n/);
  const app = `${dir.path}/app`;
  const denoJson = JSON.parse(await Deno.readTextFile(`${app}/deno.json`));
  assert.equal(
    denoJson.tasks.codegen,
    `deno run -A --config ${REPO}/deno.json ${REPO}/cli.ts codegen`,
  );
  assert.deepEqual(Object.keys(denoJson.tasks).sort(), [
    "codegen",
    "compile",
    "dev",
    "serve",
    "start",
    "test",
    "validate",
  ]);
  assert.equal(denoJson.imports["@generated/"], "./src/generated/");
  assert.equal(denoJson.imports["@handlers/"], "./src/handlers/");
  assert.match(await Deno.readTextFile(`${app}/.gitignore`), /^\.rohas\/$/m);
  const handler = await Deno.readTextFile(`${app}/src/handlers/api/get_user.ts`);
  assert.match(handler, /new HttpError\(404/, "init writes the example handler, not a stub");
  const config = await Deno.readTextFile(`${app}/config/rohas.toml`);
  for (
    const section of [
      "project",
      "server",
      "adapter",
      "telemetry",
      "state",
      "workbench",
      "permissions",
      "runtime.python",
      "log",
    ]
  ) {
    assert.match(config, new RegExp(`^\\[${section.replace(".", "\\.")}\\]$`, "m"), section);
  }
  for (const section of config.split(/^(?=\[)/m).slice(1)) {
    assert.match(section, /^# /m, `every section explains itself: ${section.split("\n")[0]}`);
  }
  const validate = await run(Deno.execPath(), ["task", "validate", "--strict"], { cwd: app });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  assert.match(
    validate.stdout,
    /1 models\n.*\n {2}- 2 inputs\n {2}- 3 APIs\n {2}- 1 events\n {2}- 1 cron jobs\n {2}- 1 websockets/,
    "the example has a model, an input, APIs, an event, a cron and a WebSocket",
  );
  const codegen = await run(Deno.execPath(), ["task", "codegen"], { cwd: app });
  assert.equal(codegen.code, 0, codegen.stderr);
  assert.match(codegen.stdout, / 0 written, \d+ unchanged, 0 deleted/);
  const check = await run(Deno.execPath(), ["check", "src/"], { cwd: app });
  assert.equal(check.code, 0, plain(check.stderr));
  // The example test init wrote runs through the test kit (the linked checkout's `testing`).
  const test = await run(Deno.execPath(), ["task", "test"], { cwd: app });
  assert.equal(test.code, 0, plain(test.stdout + test.stderr));
  assert.match(plain(test.stdout), /creating a user publishes UserCreated and logs it \.\.\. ok/);
  assert.match(plain(test.stdout), /2 passed \| 0 failed/);
  const readme = await Deno.readTextFile(`${app}/README.md`);
  assert.match(readme, /^# app$/m);
  assert.match(readme, /`GET \/users\/\{id\}` - GetUser/);
  assert.match(readme, /`Heartbeat` - Schedule: \*\/5 \* \* \* \*/);
});

Deno.test({
  name: "init --lang python gives a project whose generated package and handlers import",
  fn: async () => {
    await requirePythonModule("pydantic");
    await using dir = await tempDir();
    const created = await rohas(["init", "pyapp", "--lang", "python", "--rohas", REPO], {
      cwd: dir.path,
    });
    assert.equal(created.code, 0, created.stderr);
    const app = `${dir.path}/pyapp`;
    await Deno.stat(`${app}/pyproject.toml`);
    assert.equal(await Deno.readTextFile(`${app}/requirements.txt`), "pydantic>=2\n");
    const codegen = await run(Deno.execPath(), ["task", "codegen"], { cwd: app });
    assert.equal(codegen.code, 0, codegen.stderr);
    const bare = await run("python3", ["-B", "-c", "import generated"], { cwd: `${app}/src` });
    assert.equal(bare.code, 0, bare.stderr);
    const script = [
      "import asyncio, generated",
      "from handlers.api.get_user import handle_get_user",
      "from generated.api.get_user import GetUserRequest",
      "from generated.state import State",
      "r = asyncio.run(handle_get_user(GetUserRequest(id='7'), State()))",
      "print(r.model_dump_json())",
    ].join("\n");
    const result = await run("python3", ["-B", "-c", script], { cwd: `${app}/src` });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /"id":7,"name":"User 7".*"createdAt":"1970-01-01T00:00:00Z"/);
    await requirePythonModule("mypy");
    const mypy = await run("python3", ["-m", "mypy", "--strict", "--no-incremental", "src"], {
      cwd: app,
    });
    assert.equal(mypy.code, 0, mypy.stdout);
  },
});

Deno.test("init --example blank writes one API and its handler", async () => {
  await using dir = await tempDir();
  const created = await rohas(["init", "b", "--example", "blank"], { cwd: dir.path });
  assert.equal(created.code, 0, created.stderr);
  const denoJson = JSON.parse(await Deno.readTextFile(`${dir.path}/b/deno.json`));
  assert.equal(denoJson.tasks.dev, "deno run -A jsr:@rohas/cli dev");
  const handler = await Deno.readTextFile(`${dir.path}/b/src/handlers/api/health.ts`);
  assert.match(handler, /data: "ok"/);
  const check = await run(Deno.execPath(), ["check", "src/"], { cwd: `${dir.path}/b` });
  assert.equal(check.code, 0, plain(check.stderr));
  assert.equal(denoJson.tasks.test, "deno test -A tests/");
  const test = await Deno.readTextFile(`${dir.path}/b/tests/app_test.ts`);
  assert.match(test, /app\.request\("GET", "\/health"\)/);
});

Deno.test("init refuses an existing non-empty directory", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/taken`);
  await Deno.writeTextFile(`${dir.path}/taken/file.txt`, "x");
  const result = await rohas(["init", "taken"], { cwd: dir.path });
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'Error: Directory "taken" already exists and is not empty\n');
  assert.deepEqual((await Array.fromAsync(Deno.readDir(`${dir.path}/taken`))).length, 1);
});

Deno.test("init rejects an unknown language", async () => {
  await using dir = await tempDir();
  const result = await rohas(["init", "x", "--lang", "rust"], { cwd: dir.path });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Unsupported language: "rust"/);
});
