// The embedded entry (main.ts) of a project made by `rohas init`: served by the project's own
// `serve` task flags (net, env, KV and cron; no read, no write, no FFI, no subprocess), locally and
// in deploy mode (DENO_DEPLOYMENT_ID set, as on Deno Deploy).
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, rohas, tempDir } from "../../testing/mod.ts";
import { counters, eventually, fixtureConfig, fixtureProject, ping, serve } from "./_project.ts";

Deno.test("rohas init writes main.ts, the framework import, and the serve and compile tasks", async () => {
  await using project = await fixtureProject();
  const { tasks, imports } = project.denoJson;
  assert.equal(imports["@rohas/cli"], "jsr:@rohas/cli@^0.1.0");
  const json = JSON.parse(await Deno.readTextFile(join(project.root, "deno.json")));
  assert.deepEqual(json.links, [REPO]);
  assert.equal(
    tasks.serve,
    "deno serve --parallel --allow-net --allow-env --unstable-kv --unstable-cron main.ts",
  );
  assert.match(
    tasks.compile!,
    /^deno compile --allow-net --allow-env --unstable-kv --unstable-cron /,
  );
  assert.match(tasks.compile!, / main\.ts --listen$/);
  const main = await Deno.readTextFile(join(project.root, "main.ts"));
  assert.match(main, /^for \(const cron of entry\.crons\) Deno\.cron\(/m);
  assert.match(main, /^await entry\.start\(\);$/m);
  const app = await Deno.readTextFile(join(project.root, "src/generated/app.ts"));
  assert.match(app, /name = \\"deploy-fixture\\"/);
});

Deno.test("rohas init of a Python project says serve, Deploy and compile are TypeScript-only", async () => {
  await using dir = await tempDir();
  const run = await rohas(["init", "py", "--lang", "python", "--rohas", REPO], { cwd: dir.path });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /deno task serve, Deno Deploy and deno compile run TypeScript handlers only/,
  );
  const json = JSON.parse(await Deno.readTextFile(join(dir.path, "py/deno.json")));
  assert.equal(json.tasks.serve, undefined);
  await assert.rejects(Deno.stat(join(dir.path, "py/main.ts")), Deno.errors.NotFound);
});

Deno.test("main.ts serves with the serve task's permissions alone: APIs, events with retries, crons", async () => {
  await using project = await fixtureProject();
  const from = Date.now();
  await using served = await serve(project);
  const id = await ping(served.url, 2);
  const seen = await eventually(async () => {
    const seen = await counters(served.url);
    assert.deepEqual(seen.handled, [id]);
    return seen;
  });
  assert.equal(seen.attempts, 3);
  assert.equal(seen.stored, 1);
  // The engine's own scheduler runs `* * * * *`: a tick only for a minute the test crossed
  // (Deno.cron's test schedule, which ticks every 100 ms, is deploy mode's alone).
  assert.ok(seen.ticks <= minutesCrossed(from), `${seen.ticks} ticks`);
  assert.doesNotMatch(served.stderr(), /NotCapable|PermissionDenied|error/i);
});

Deno.test("main.ts reads nothing from the project: it runs with its config and schema removed", async () => {
  await using project = await fixtureProject();
  await Deno.remove(join(project.root, "schema"), { recursive: true });
  await Deno.remove(join(project.root, "config"), { recursive: true });
  const from = Date.now();
  await using served = await serve(project, { env: { ROHAS_LOG: "debug" } });
  const seen = await counters(served.url);
  assert.deepEqual(seen.handled, []);
  // A tick of `* * * * *` only for a minute the test crossed.
  assert.ok(seen.ticks <= minutesCrossed(from), `${seen.ticks} ticks`);
});

/** How many minute boundaries passed since `from` (a `Date.now()`): ticks of `* * * * *` since. */
function minutesCrossed(from: number): number {
  return Math.floor(Date.now() / 60_000) - Math.floor(from / 60_000);
}

Deno.test("deploy mode runs crons through Deno.cron and events through the project's KV queue", async () => {
  await using project = await fixtureProject();
  await using served = await serve(project, {
    // Deno's own test hook: every Deno.cron fires 100 ms after the previous run.
    env: { DENO_DEPLOYMENT_ID: "local-test", DENO_CRON_TEST_SCHEDULE_OFFSET: "100" },
  });
  const ids = [await ping(served.url, 0), await ping(served.url, 2)];
  const seen = await eventually(async () => {
    const seen = await counters(served.url);
    assert.deepEqual([...seen.handled].sort(), [...ids].sort());
    assert(seen.ticks >= 3, `${seen.ticks} ticks`);
    return seen;
  });
  assert.equal(seen.attempts, 4);
  assert.equal(seen.stored, 2);
  assert.doesNotMatch(served.stderr(), /NotCapable|PermissionDenied/);
});

Deno.test("deploy mode refuses at start what Deno Deploy cannot run, saying what to change", async () => {
  const config = await fixtureConfig("\n[permissions.handlers.on_pinged]\nnet = false\n");
  await using project = await fixtureProject(
    config.replace('type = "memory"\n# Retries', 'type = "rocksdb"\n# Retries'),
  );
  const error = await serve(project, { env: { DENO_DEPLOYMENT_ID: "local-test" } }).then(
    () => assert.fail("It started"),
    (error: Error) => error.message,
  );
  assert.match(error, /Cannot run on Deno Deploy:/);
  assert.match(error, /\[adapter\] type = "rocksdb" needs native code \(FFI\)/);
  assert.match(error, /\[permissions\.handlers\.on_pinged\] gives one handler permissions/);
});
