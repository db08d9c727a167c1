import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { join } from "node:path";
import type { HandlerRuntime, SerializedError } from "./contract.ts";
import { createWorkerRuntime, type WorkerRuntimeOptions } from "./worker_runtime.ts";
import { assert, jsonValue, okResult, testCallingConventions } from "./_conventions_suite.ts";
import {
  apiInput,
  call,
  openGate,
  permissionsWith,
  PROJECT,
  tempProject,
  tsHandler,
} from "./_test_helpers.ts";

testCallingConventions(
  "WorkerRuntime",
  () => createWorkerRuntime({ root: PROJECT, permissions: permissionsWith() }),
);

function open(options: Partial<WorkerRuntimeOptions> = {}): HandlerRuntime & AsyncDisposable {
  const runtime = createWorkerRuntime({
    root: PROJECT,
    permissions: permissionsWith(),
    ...options,
  });
  return Object.assign(runtime, { [Symbol.asyncDispose]: () => runtime.close() });
}

const createUser = tsHandler("api", "src/handlers/api/create_user.ts", ["handleCreateUser"]);
const createUserInput = apiInput({ name: "Ada" }, { id: "1", queryParams: {} });

Deno.test("WorkerRuntime denies a read outside the profile and names the config key to change", async () => {
  const secretDir = await Deno.makeTempDir({ prefix: "rohas_secret_" });
  const secret = join(secretDir, "secret.txt");
  await Deno.writeTextFile(secret, "s3cret");
  const permissions = permissionsWith({ read_secret: { read: [".", secretDir] } });
  try {
    await using runtime = open({ permissions });
    const file = "src/handlers/api/read_secret.ts";
    const denied = tsHandler("api", file, ["handleReadSecret"], { name: "ReadSecret" });
    const result = await runtime.invoke(call(denied, apiInput({ path: secret })));
    assert(!result.ok && result.reason === "permission");
    assertEquals(result.error.name, "HandlerPermissionError");
    assertEquals(
      result.error.message,
      `Requires read access to "${secret}": add it to [permissions.handlers.ReadSecret] read = [...] in config/rohas.toml`,
    );
    assertEquals(result.error.cause?.name, "NotCapable");
    const allowed = tsHandler("api", file, ["handleReadSecret"], { profile: "read_secret" });
    const granted = okResult(await runtime.invoke(call(allowed, apiInput({ path: secret }))));
    assertEquals(jsonValue(granted), { data: "s3cret" });
  } finally {
    await Deno.remove(secretDir, { recursive: true });
  }
});

Deno.test("WorkerRuntime answers an infinite loop with timeout, keeps serving (default pool of 2), and replaces the Worker", async () => {
  const restarted = Promise.withResolvers<SerializedError>();
  await using runtime = open({
    stuckAfterMs: 100,
    onWorkerRestart: (_profile, error) => restarted.resolve(error),
  });
  okResult(await runtime.invoke(call(createUser, createUserInput)));
  const spin = tsHandler("api", "src/handlers/api/spin.ts", ["handleSpin"]);
  const spinning = runtime.invoke(call(spin, apiInput(undefined), 500));
  for (let i = 0; i < 5; i++) okResult(await runtime.invoke(call(createUser, createUserInput)));
  const result = await spinning;
  assert(!result.ok && result.reason === "timeout");
  assertEquals(result.error.name, "HandlerTimeoutError");
  assertMatch(result.error.message, /"handleSpin" timed out after 500 ms/);
  const during = await Promise.all(
    Array.from({ length: 4 }, () => runtime.invoke(call(createUser, createUserInput))),
  );
  for (const each of during) okResult(each);
  const error = await restarted.promise;
  assertMatch(error.message, /^Worker restarted: handler "handleSpin" blocked it/);
  const after = await Promise.all(
    Array.from({ length: 4 }, () => runtime.invoke(call(createUser, createUserInput))),
  );
  for (const each of after) okResult(each);
});

Deno.test("WorkerRuntime runs a call its stuck Worker never started on the replacement Worker", async () => {
  const restarts: SerializedError[] = [];
  await using runtime = open({
    poolSize: 1,
    stuckAfterMs: 100,
    onWorkerRestart: (_profile, error) => restarts.push(error),
  });
  okResult(await runtime.invoke(call(createUser, createUserInput)));
  const spin = tsHandler("api", "src/handlers/api/spin.ts", ["handleSpin"]);
  // Sent in the same turn to the only Worker: the spin blocks it before the second call starts.
  const spinning = runtime.invoke(call(spin, apiInput(undefined), 300));
  const queued = runtime.invoke(call(createUser, createUserInput, 10_000));
  const spun = await spinning;
  assert(!spun.ok && spun.reason === "timeout");
  assertEquals(
    jsonValue(okResult(await queued)),
    jsonValue(okResult(
      await runtime.invoke(call(createUser, createUserInput)),
    )),
  );
  assertEquals(restarts.length, 1);
  assertMatch(restarts[0]!.message, /^Worker restarted: handler "handleSpin" blocked it/);
});

Deno.test("WorkerRuntime does not restart a Worker whose timed-out handler is merely waiting", async () => {
  const restarts: SerializedError[] = [];
  await using gate = openGate();
  await using runtime = open({ onWorkerRestart: (_profile, error) => restarts.push(error) });
  const gated = tsHandler("api", "src/handlers/api/gated.ts", ["handleGated"]);
  const result = await runtime.invoke(call(gated, apiInput({ gate: gate.url }), 200));
  assert(!result.ok && result.reason === "timeout");
  okResult(await runtime.invoke(call(createUser, createUserInput)));
  gate.release();
  assertEquals(restarts, []);
});

Deno.test("WorkerRuntime runs handlers doing real async I/O and importing npm packages", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response('title = "Rohas"\n[owner]\nname = "Ada"\n'),
  );
  await using runtime = open();
  const handler = tsHandler("api", "src/handlers/api/fetch_toml.ts", ["handleFetchToml"]);
  const url = `http://127.0.0.1:${server.addr.port}/config.toml`;
  const results = await Promise.all(
    Array.from({ length: 5 }, () => runtime.invoke(call(handler, apiInput({ url })))),
  );
  for (const result of results) {
    assertEquals(jsonValue(okResult(result)), { data: { title: "Rohas", owner: { name: "Ada" } } });
  }
});

Deno.test("WorkerRuntime reload serves new code to new calls while an in-flight call finishes on the old", async () => {
  const file = "src/handlers/api/gated.ts";
  await using project = await tempProject([file]);
  await using gate = openGate();
  await using runtime = open({ root: project.path });
  const gated = tsHandler("api", file, ["handleGated"], { root: project.path });
  const slow = runtime.invoke(call(gated, apiInput({ gate: gate.url })));
  await gate.arrived;
  const source = await Deno.readTextFile(join(project.path, file));
  await project.write(file, source.replace('"v1"', '"v2"'));
  assertEquals(await runtime.reload(gated.file), null);
  const fresh = okResult(await runtime.invoke(call(gated, apiInput({}))));
  assertEquals(jsonValue(fresh), { data: "v2" });
  gate.release();
  assertEquals(jsonValue(okResult(await slow)), { data: "v1" });
});

/** A handler answering from a module it imports, which counts its calls in module state. */
async function sharedModuleProject() {
  const project = await tempProject(["src/handlers/api/gated.ts"]);
  await project.write("src/lib/shared.ts", sharedModule("v1"));
  await project.write(
    "src/handlers/api/shared_user.ts",
    'import { next } from "../../lib/shared.ts";\n' +
      "export async function handleSharedUser(req: { body: { gate?: string } }) {\n" +
      "  if (req.body.gate !== undefined) await (await fetch(req.body.gate)).text();\n" +
      "  return { data: next() };\n}\n",
  );
  return project;
}

function sharedModule(version: string): string {
  return `let calls = 0;\nexport function next() {\n  return \`${version}:\${++calls}\`;\n}\n`;
}

Deno.test("WorkerRuntime renew serves a shared module's new code with fresh state; in-flight calls finish on the old", async () => {
  await using project = await sharedModuleProject();
  await using gate = openGate();
  await using runtime = open({ root: project.path, spares: true });
  const user = tsHandler("api", "src/handlers/api/shared_user.ts", ["handleSharedUser"], {
    root: project.path,
  });
  assertEquals(jsonValue(okResult(await runtime.invoke(call(user, apiInput({}))))), {
    data: "v1:1",
  });
  const slow = runtime.invoke(call(user, apiInput({ gate: gate.url })));
  await gate.arrived;
  await project.write("src/lib/shared.ts", sharedModule("v2"));
  assertEquals(await runtime.renew!([user.file]), null);
  const fresh = okResult(await runtime.invoke(call(user, apiInput({}))));
  assertEquals(jsonValue(fresh), { data: "v2:1" });
  gate.release();
  assertMatch(String((jsonValue(okResult(await slow)) as { data: string }).data), /^v1:/);
});

Deno.test("WorkerRuntime renew keeps the old Workers serving when the new code fails to load", async () => {
  await using project = await sharedModuleProject();
  await using runtime = open({ root: project.path });
  const user = tsHandler("api", "src/handlers/api/shared_user.ts", ["handleSharedUser"], {
    root: project.path,
  });
  okResult(await runtime.invoke(call(user, apiInput({}))));
  await project.write("src/lib/shared.ts", "export function next( {\n");
  const error = await runtime.renew!([user.file]);
  assertEquals(error?.name, "HandlerLoadError");
  assertMatch(error?.message ?? "", /shared\.ts/);
  const still = okResult(await runtime.invoke(call(user, apiInput({}))));
  assertEquals(jsonValue(still), { data: "v1:2" });
});

Deno.test("WorkerRuntime reports a syntax error on reload with file and line, and keeps the old code", async () => {
  const file = "src/handlers/api/gated.ts";
  await using project = await tempProject([file]);
  await using runtime = open({ root: project.path });
  const gated = tsHandler("api", file, ["handleGated"], { root: project.path });
  okResult(await runtime.invoke(call(gated, apiInput({}))));
  await project.write(file, 'export function handleGated() {\n  return { data: "v2" ;\n}\n');
  const error = await runtime.reload(gated.file);
  assertEquals(error?.name, "HandlerLoadError");
  assertMatch(error?.message ?? "", /gated\.ts(\?v=\d+)?:2:\d+/);
  const still = okResult(await runtime.invoke(call(gated, apiInput({}))));
  assertEquals(jsonValue(still), { data: "v1" });
  await project.write(file, 'export function handleGated() {\n  return { data: "v3" };\n}\n');
  assertEquals(await runtime.reload(gated.file), null);
  const fixed = okResult(await runtime.invoke(call(gated, apiInput({}))));
  assertEquals(jsonValue(fixed), { data: "v3" });
});

Deno.test("WorkerRuntime replaces a Worker killed by an unhandled rejection", async () => {
  const restarts: SerializedError[] = [];
  await using runtime = open({ onWorkerRestart: (_profile, error) => restarts.push(error) });
  const crash = tsHandler("api", "src/handlers/api/crash.ts", ["handleCrash"]);
  const result = await runtime.invoke(call(crash, apiInput(undefined)));
  assert(!result.ok && result.reason === "error");
  assertEquals(result.error.name, "WorkerRestartedError");
  assertMatch(result.error.message, /^Worker restarted: it crashed: .*Nobody catches this/);
  okResult(await runtime.invoke(call(createUser, createUserInput)));
  assertEquals(restarts.length, 1);
});

Deno.test("WorkerRuntime close() drains calls in flight, then refuses new ones", async () => {
  await using gate = openGate();
  const runtime = open();
  const gated = tsHandler("api", "src/handlers/api/gated.ts", ["handleGated"]);
  const inFlight = runtime.invoke(call(gated, apiInput({ gate: gate.url })));
  await gate.arrived;
  let closed = false;
  const closing = runtime.close().then(() => closed = true);
  const refused = await runtime.invoke(call(createUser, createUserInput));
  assert(!refused.ok);
  assertEquals(refused.error.name, "RuntimeClosedError");
  assertEquals(closed, false);
  gate.release();
  assertEquals(jsonValue(okResult(await inFlight)), { data: "v1" });
  await closing;
  assertEquals(closed, true);
});

Deno.test("WorkerRuntime close() abandons calls still running at the drain deadline", async () => {
  await using gate = openGate();
  const runtime = open({ drainTimeoutMs: 50 });
  const gated = tsHandler("api", "src/handlers/api/gated.ts", ["handleGated"]);
  const inFlight = runtime.invoke(call(gated, apiInput({ gate: gate.url })));
  await gate.arrived;
  await runtime.close();
  const result = await inFlight;
  assert(!result.ok && result.reason === "error");
  assertEquals(result.error.name, "RuntimeClosedError");
});

Deno.test("WorkerRuntime fails a call whose input cannot cross, and keeps serving", async () => {
  await using runtime = open();
  const input = apiInput({ notData: () => 1 });
  const result = await runtime.invoke(call(createUser, input));
  assert(!result.ok && result.reason === "error");
  assertEquals(result.error.name, "DataCloneError");
  assertEquals(jsonValue(await runtime.invoke(call(createUser, createUserInput))), {
    data: { id: "1", name: "Ada", trace: "trace-1" },
  });
});

Deno.test("WorkerRuntime fails only the call that cannot cross, not its batch neighbours", async () => {
  await using runtime = open();
  const [first, bad, last] = await Promise.all([
    runtime.invoke(call(createUser, createUserInput)),
    runtime.invoke(call(createUser, apiInput({ notData: () => 1 }))),
    runtime.invoke(call(createUser, createUserInput)),
  ]);
  okResult(first!);
  assert(!bad!.ok);
  assertEquals(bad!.error.name, "DataCloneError");
  okResult(last!);
});

Deno.test("WorkerRuntime shares Workers between profiles with equal permissions only", async () => {
  const permissions = permissionsWith({
    same_a: { env: false },
    same_b: { write: false },
    other: { env: ["HOME"] },
  });
  await using runtime = open({ permissions });
  const counter = (profile: string) =>
    tsHandler("api", "src/handlers/api/counter.ts", ["handleCounter"], { profile });
  const count = async (profile: string) =>
    jsonValue(await runtime.invoke(call(counter(profile), apiInput(undefined))));
  assertEquals(await count("default"), { data: 1 });
  assertEquals(await count("same_a"), { data: 2 });
  assertEquals(await count("same_b"), { data: 3 });
  assertEquals(await count("other"), { data: 1 });
});

Deno.test("WorkerRuntime close() right after a timeout leaves no stuck-check timer behind", async () => {
  const runtime = open({ stuckAfterMs: 60_000 });
  const spin = tsHandler("api", "src/handlers/api/spin.ts", ["handleSpin"]);
  const result = await runtime.invoke(call(spin, apiInput(undefined), 200));
  assert(!result.ok && result.reason === "timeout");
  await runtime.close();
});

Deno.test("WorkerRuntime keeps handler numbers apart after a reference failed to cross", async () => {
  // One Worker: the counter's state lives there, whichever Worker a pool of two would pick.
  await using runtime = open({ poolSize: 1 });
  const counter = tsHandler("api", "src/handlers/api/counter.ts", ["handleCounter"]);
  const raw = tsHandler("api", "src/handlers/api/raw_response.ts", ["handleRawResponse"]);
  const cleanup = tsHandler("cron", "src/handlers/cron/cleanup.ts", ["default"], {
    name: "Cleanup",
  });
  const [first, bad, third] = await Promise.all([
    runtime.invoke(call(createUser, createUserInput)),
    runtime.invoke(call(raw, apiInput({ notData: () => 1 }))),
    runtime.invoke(call(counter, apiInput(undefined))),
  ]);
  okResult(first!);
  assert(!bad!.ok);
  assertEquals(jsonValue(third!), { data: 1 });
  assertEquals(jsonValue(await runtime.invoke(call(cleanup, { kind: "cron" }))), {
    handler: "Cleanup",
    arity: 1,
  });
  assertEquals(jsonValue(await runtime.invoke(call(counter, apiInput(undefined)))), { data: 2 });
  const rawResult = okResult(await runtime.invoke(call(raw, apiInput(undefined))));
  assertEquals(rawResult.output.kind, "response");
});
