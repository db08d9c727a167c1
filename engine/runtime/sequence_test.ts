// Calls sharing a sequence (an ordered event handler's pipelined deliveries): sent to the Worker
// together, run there one after another in call order, each with its own timeout from its own start.
import assert from "node:assert/strict";
import { createWorkerRuntime } from "./worker_runtime.ts";
import type { InvocationResult } from "./contract.ts";
import { jsonValue } from "./_conventions_suite.ts";
import { call, permissionsWith, tsHandler } from "./_test_helpers.ts";
import { tempDir } from "../../testing/mod.ts";

const FILE = "src/handlers/events/step.ts";

/** Sleeps `ms` (or never returns with `hang`), then answers when it ran (wall clock). */
const STEP =
  `export async function handleStep(event: { payload: { n: number; ms: number; hang?: boolean } }) {
  const started = Date.now();
  if (event.payload.hang) await new Promise(() => {});
  await new Promise((resolve) => setTimeout(resolve, event.payload.ms));
  return { n: event.payload.n, started, ended: Date.now() };
}
`;

interface Ran {
  n: number;
  started: number;
  ended: number;
}

/** Invokes one call per step, all in one turn and one sequence; resolves with every result. */
async function runSequence(
  steps: { ms: number; hang?: boolean }[],
  timeoutMs: number,
): Promise<InvocationResult[]> {
  await using dir = await tempDir({ files: { [FILE]: STEP } });
  const runtime = createWorkerRuntime({ root: dir.path, permissions: permissionsWith() });
  try {
    const handler = tsHandler("event", FILE, ["handleStep"], { root: dir.path });
    const input = (n: number, step: { ms: number; hang?: boolean }) => ({
      kind: "event" as const,
      event: { payload: { n, ...step }, timestamp: "", id: `e${n}`, attempt: 1 },
    });
    // Both Workers started and the module imported first: a first call's timeout includes that.
    await Promise.all([0, 1].map((n) => runtime.invoke(call(handler, input(n, { ms: 0 })))));
    return await Promise.all(
      steps.map((step, n) =>
        runtime.invoke({ ...call(handler, input(n, step), timeoutMs), sequence: "s" })
      ),
    );
  } finally {
    await runtime.close();
  }
}

Deno.test("calls sharing a sequence run one after another in call order, each timed from its own start", async () => {
  // Four calls of 150 ms under a 400 ms timeout: together they take longer than one timeout.
  const results = await runSequence(Array(4).fill({ ms: 150 }), 400);
  const ran = results.map((result) => jsonValue(result) as Ran);
  assert.deepEqual(ran.map((r) => r.n), [0, 1, 2, 3]);
  for (let i = 1; i < ran.length; i++) {
    assert.ok(ran[i]!.started >= ran[i - 1]!.ended, `call ${i} started after call ${i - 1} ended`);
  }
});

Deno.test("a call of a sequence that times out is stopped, and the calls behind it run after it, in order", async () => {
  const results = await runSequence([{ ms: 0 }, { ms: 0, hang: true }, { ms: 0 }, { ms: 0 }], 300);
  assert.equal(results[1]!.ok ? "ok" : results[1]!.reason, "timeout");
  const ran = [0, 2, 3].map((i) => jsonValue(results[i]!) as Ran);
  assert.deepEqual(ran.map((r) => r.n), [0, 2, 3]);
  assert.ok(ran[1]!.started - ran[0]!.ended >= 250, "call 2 started once call 1 timed out");
  assert.ok(ran[2]!.started >= ran[1]!.ended, "call 3 started after call 2 ended");
});

Deno.test("ending a sequence answers its calls that had not started with CallAbandonedError, unrun; calls after it run", async () => {
  await using dir = await tempDir({ files: { [FILE]: STEP } });
  const runtime = createWorkerRuntime({ root: dir.path, permissions: permissionsWith() });
  try {
    const handler = tsHandler("event", FILE, ["handleStep"], { root: dir.path });
    const invoke = (n: number, ms: number) => {
      const event = { payload: { n, ms }, timestamp: "", id: `e${n}`, attempt: 1 };
      return runtime.invoke({ ...call(handler, { kind: "event", event }), sequence: "s" });
    };
    await invoke(0, 0);
    const calls = [invoke(1, 200), invoke(2, 0), invoke(3, 0)];
    // Sent after them in order: the first has started (it sleeps 200 ms), the others wait behind.
    runtime.endSequence!("s");
    const [first, second, third] = await Promise.all(calls);
    assert.equal((jsonValue(first!) as Ran).n, 1);
    for (const result of [second!, third!]) {
      assert.equal(result.ok ? "ok" : result.error.name, "CallAbandonedError");
    }
    assert.equal((jsonValue(await invoke(4, 0)) as Ran).n, 4);
  } finally {
    await runtime.close();
  }
});

Deno.test("synchronous calls of a sequence sent together run back to back, with no promise job between them", async () => {
  // Each call queues a microtask and answers how many such microtasks ran before it.
  const tick = `let ran = 0;
export function handleTick() {
  queueMicrotask(() => ran++);
  return { seen: ran };
}
`;
  await using dir = await tempDir({ files: { [FILE]: tick } });
  const runtime = createWorkerRuntime({ root: dir.path, permissions: permissionsWith() });
  try {
    const handler = tsHandler("event", FILE, ["handleTick"], { root: dir.path });
    const invoke = (n: number) => {
      const event = { payload: { n }, timestamp: "", id: `e${n}`, attempt: 1 };
      return runtime.invoke({ ...call(handler, { kind: "event", event }), sequence: "s" });
    };
    await invoke(0);
    const results = await Promise.all([1, 2, 3, 4].map(invoke));
    const seen = results.map((result) => (jsonValue(result) as { seen: number }).seen);
    assert.deepEqual(seen, [1, 1, 1, 1]);
  } finally {
    await runtime.close();
  }
});
