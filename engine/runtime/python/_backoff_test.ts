import { assert, assertEquals, assertStringIncludes } from "./_test_assert.ts";
import type { HandlerRef, Invocation, InvocationResult } from "../contract.ts";
import { DEFAULT_BACKOFF, RestartBackoff } from "./_backoff.ts";
import { type BackoffTimes, createPythonRuntime, type PythonRestart } from "./mod.ts";

const ROOT = new URL("./testdata/project", import.meta.url).pathname;

function api(name: string, file: string): Invocation {
  const handler: HandlerRef = {
    kind: "api",
    name,
    owner: name,
    language: "python",
    file: `${ROOT}/src/handlers/api/${file}.py`,
    exports: [],
    profile: "default",
  };
  const request = { queryParams: {}, headers: {} };
  return { handler, input: { kind: "api", request }, traceId: "trace-1", timeoutMs: 20_000 };
}

const SEGFAULT = api("Segfault", "segfault");
const RETURNS_NONE = api("ReturnsNone", "returns_none");

function failure(result: InvocationResult): string {
  assert(!result.ok, "the call succeeded");
  assertEquals(result.error.name, "PythonRuntimeError");
  return result.error.message;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A runtime whose restarts are recorded in `restarts`. */
async function crashing(restartBackoff: Partial<BackoffTimes>) {
  const restarts: PythonRestart[] = [];
  const runtime = await createPythonRuntime({
    root: ROOT,
    restartBackoff,
    onRestart: (restart) => restarts.push(restart),
  });
  return { runtime, restarts };
}

Deno.test("the default waits are none, then 250 ms doubling up to 10 s, and a long life ends the row", () => {
  const backoff = new RestartBackoff(DEFAULT_BACKOFF);
  backoff.started(0);
  const waits = Array.from({ length: 9 }, () => backoff.crashed(1));
  assertEquals(waits, [0, 250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  backoff.started(100);
  assertEquals([backoff.crashed(10_099), backoff.crashes], [10_000, 10]);
  backoff.started(20_000);
  assertEquals([backoff.crashed(30_000), backoff.crashes], [0, 1]);
});

Deno.test("a handler crashing its host on every call gets no host per call: calls in the wait fail at once", async () => {
  const { runtime, restarts } = await crashing({ firstDelayMs: 300, maxDelayMs: 600 });
  await using _ = runtime;
  failure(await runtime.invoke(SEGFAULT));
  const second = failure(await runtime.invoke(SEGFAULT));
  assertStringIncludes(second, "the new host starts in 300 ms, after 2 crashes in a row");
  const started = performance.now();
  for (let i = 0; i < 20; i++) {
    const message = failure(await runtime.invoke(i % 2 === 0 ? SEGFAULT : RETURNS_NONE));
    assertStringIncludes(message, "The Python runtime is restarting after 2 crashes in a row");
    assertStringIncludes(message, 'while running "Segfault"');
  }
  assert(performance.now() - started < 250, "the calls in the wait did not fail at once");
  assertEquals(restarts.length, 2);
  await sleep(350);
  failure(await runtime.invoke(SEGFAULT));
  await sleep(650);
  failure(await runtime.invoke(SEGFAULT));
  assertEquals(restarts.map((restart) => restart.delayMs), [0, 300, 600, 600]);
  assertStringIncludes(restarts[3]?.message ?? "", "starts in 600 ms, after 4 crashes in a row");
});

Deno.test("a host that lived past stableMs ends the row: its crash restarts it at once", async () => {
  const { runtime, restarts } = await crashing({ firstDelayMs: 5_000, stableMs: 300 });
  await using _ = runtime;
  failure(await runtime.invoke(SEGFAULT));
  assertEquals((await runtime.invoke(RETURNS_NONE)).ok, true);
  await sleep(400);
  failure(await runtime.invoke(SEGFAULT));
  assertEquals((await runtime.invoke(RETURNS_NONE)).ok, true);
  assertEquals(restarts.map((restart) => restart.delayMs), [0, 0]);
});

// In a process of its own: `deno test --parallel` runs other test files in this process, and their
// hosts would count as this test's.
Deno.test("close() during a wait cancels the start and leaves no process", async () => {
  const script = new URL("./testdata/close_in_wait.ts", import.meta.url).pathname;
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script],
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert(run.success, `the script failed: exit code ${run.code}\n${stderr}`);
  const seen = JSON.parse(new TextDecoder().decode(run.stdout));
  assertEquals(seen.delays, [0, 300]);
  assert(seen.closeMs < 250, `close() waited ${seen.closeMs} ms for the delayed start`);
  assertEquals(seen.appeared, [], "a host started after close()");
});

Deno.test("a reload during a wait starts the host at once and begins a new row", async () => {
  const { runtime, restarts } = await crashing({ firstDelayMs: 10_000 });
  await using _ = runtime;
  failure(await runtime.invoke(SEGFAULT));
  failure(await runtime.invoke(SEGFAULT));
  assertStringIncludes(failure(await runtime.invoke(RETURNS_NONE)), "starts again in ");
  assertEquals(await runtime.reload(RETURNS_NONE.handler.file), null);
  const started = performance.now();
  assertEquals((await runtime.invoke(RETURNS_NONE)).ok, true);
  assert(performance.now() - started < 9_000, "the host waited for the delay");
  failure(await runtime.invoke(SEGFAULT));
  assertEquals(restarts.map((restart) => restart.delayMs), [0, 10_000, 0]);
});
