import assert from "node:assert/strict";
import type { HandlerRef, HandlerRuntime, Invocation } from "./runtime/contract.ts";
import { createCompositeRuntime } from "./composite_runtime.ts";

/** A runtime that answers with its own name and records reloads and closes. */
function named(name: string, log: string[]): HandlerRuntime {
  return {
    invoke: () =>
      Promise.resolve({
        ok: true,
        output: { kind: "json", value: name },
        effects: [],
        durationMs: 0,
      }),
    reload: (file) => (log.push(`${name} reload ${file}`), Promise.resolve(null)),
    close: () => (log.push(`${name} close`), Promise.resolve()),
  };
}

function call(language: HandlerRef["language"]): Invocation {
  const handler: HandlerRef = {
    kind: "cron",
    name: "Job",
    owner: "Job",
    language,
    file: "/app/x",
    exports: [],
    profile: "default",
  };
  return { handler, input: { kind: "cron" }, traceId: "t", timeoutMs: 1000 };
}

Deno.test("createCompositeRuntime() dispatches each call by the handler's language", async () => {
  const log: string[] = [];
  const runtime = createCompositeRuntime({
    typescript: named("ts", log),
    python: named("py", log),
  });
  const ts = await runtime.invoke(call("typescript"));
  const py = await runtime.invoke(call("python"));
  assert.deepEqual([ts.ok && ts.output, py.ok && py.output], [
    { kind: "json", value: "ts" },
    { kind: "json", value: "py" },
  ]);
  await runtime.reload("/app/src/handlers/api/a.py");
  await runtime.close();
  assert.deepEqual(log, ["py reload /app/src/handlers/api/a.py", "ts close", "py close"]);
});

Deno.test("createCompositeRuntime() answers not_found for a language without a runtime", async () => {
  const runtime = createCompositeRuntime({ typescript: named("ts", []) });
  const result = await runtime.invoke(call("python"));
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.reason, "not_found");
  assert.match(!result.ok ? result.error.message : "", /No python runtime: cannot run "Job"/);
});
