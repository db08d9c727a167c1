import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { createInProcessRuntime, type HandlerManifest } from "./in_process_runtime.ts";
import { assert, jsonValue, okResult, testCallingConventions } from "./_conventions_suite.ts";
import { apiInput, call, openGate, PROJECT, tsHandler } from "./_test_helpers.ts";

const FILES = [
  "src/handlers/api/chained_error.ts",
  "src/handlers/api/create_user.ts",
  "src/handlers/api/forbidden.ts",
  "src/handlers/api/gated.ts",
  "src/handlers/api/no_export.ts",
  "src/handlers/api/raw_response.ts",
  "src/handlers/cron/cleanup.ts",
  "src/handlers/events/index_orders.ts",
  "src/handlers/events/send_welcome_email.ts",
  "src/handlers/websockets/on_chat_message.ts",
  "src/handlers/websockets/on_connect.ts",
  "src/middlewares/auth.ts",
];

/** What the generated `src/generated/manifest.ts` holds, built here with dynamic imports. */
async function fixtureManifest(): Promise<HandlerManifest> {
  const root = `${pathToFileURL(PROJECT).href}/`;
  const modules: HandlerManifest["modules"] = {};
  for (const file of FILES) modules[file] = await import(new URL(file, root).href);
  return { root, modules };
}

const manifest = await fixtureManifest();

testCallingConventions("InProcessRuntime", () => createInProcessRuntime({ manifest }));

Deno.test("InProcessRuntime answers a slow handler with timeout and keeps serving", async () => {
  await using gate = openGate();
  const runtime = createInProcessRuntime({ manifest });
  try {
    const gated = tsHandler("api", "src/handlers/api/gated.ts", ["handleGated"]);
    const result = await runtime.invoke(call(gated, apiInput({ gate: gate.url }), 50));
    assert(!result.ok && result.reason === "timeout");
    assertMatch(result.error.message, /"handleGated" timed out after 50 ms/);
    const createUser = tsHandler("api", "src/handlers/api/create_user.ts", ["handleCreateUser"]);
    okResult(await runtime.invoke(call(createUser, apiInput({ name: "Ada" }, { id: "1" }))));
  } finally {
    gate.release();
    await runtime.close();
  }
});

Deno.test("InProcessRuntime.invokeNow answers a handler that returned a value without a promise, and one that awaits with one", async () => {
  await using gate = openGate();
  const runtime = createInProcessRuntime({ manifest });
  try {
    const createUser = tsHandler("api", "src/handlers/api/create_user.ts", ["handleCreateUser"]);
    const now = runtime.invokeNow!(call(createUser, apiInput({ name: "Ada" }, { id: "1" })));
    assert(!(now instanceof Promise));
    okResult(now);
    const gated = tsHandler("api", "src/handlers/api/gated.ts", ["handleGated"]);
    const later = runtime.invokeNow!(call(gated, apiInput({ gate: gate.url })));
    assert(later instanceof Promise);
    gate.release();
    okResult(await later);
  } finally {
    gate.release();
    await runtime.close();
  }
});

Deno.test("InProcessRuntime refuses to reload its static modules", async () => {
  const runtime = createInProcessRuntime({ manifest });
  const error = await runtime.reload(`${PROJECT}/src/handlers/api/create_user.ts`);
  assertEquals(error?.name, "RuntimeUnsupportedError");
  await runtime.close();
});

Deno.test("InProcessRuntime close() waits for calls in flight, then refuses new ones", async () => {
  await using gate = openGate();
  const runtime = createInProcessRuntime({ manifest });
  const gated = tsHandler("api", "src/handlers/api/gated.ts", ["handleGated"]);
  const inFlight = runtime.invoke(call(gated, apiInput({ gate: gate.url })));
  await gate.arrived;
  const closing = runtime.close();
  const refused = await runtime.invoke(call(gated, apiInput({})));
  assert(!refused.ok);
  assertEquals(refused.error.name, "RuntimeClosedError");
  gate.release();
  assertEquals(jsonValue(okResult(await inFlight)), { data: "v1" });
  await closing;
});

Deno.test("InProcessRuntime answers a synchronous handler with a result already settled", async () => {
  const runtime = createInProcessRuntime({ manifest });
  try {
    const createUser = tsHandler("api", "src/handlers/api/create_user.ts", ["handleCreateUser"]);
    const answer = runtime.invoke(call(createUser, apiInput({ name: "Ada" }, { id: "7" })));
    // Both promises are settled now, so the race takes the first listed: no tick, timer or await
    // came between the handler's return and its result.
    const first = await Promise.race([answer, Promise.resolve("later" as const)]);
    if (first === "later") throw new Error("The result of a synchronous handler waited a turn");
    assertEquals(okResult(first).effects.map((e) => e.kind), [
      "log",
      "trigger",
      "set_payload",
      "log",
    ]);
  } finally {
    await runtime.close();
  }
});
