import assert from "node:assert/strict";
import type { EventEnvelope } from "../adapters/mod.ts";
import type { DebounceControl } from "../parser/mod.ts";
import { createMemoryKvBackend, kvOver } from "../state/mod.ts";
import { Debouncer } from "./_debouncer.ts";
import { openTimerStore, startDueLoop } from "./timers/mod.ts";

/**
 * A debouncer over a memory store with its due loop; records runs and what it gave up (`gaveUp`
 * decides whether a give-up is stored; rejecting, it is not).
 */
function open(
  control: DebounceControl,
  run: (e: EventEnvelope) => Promise<void> = () => Promise.resolve(),
  gaveUpWith: (e: EventEnvelope) => Promise<void> = () => Promise.resolve(),
) {
  const kv = kvOver(createMemoryKvBackend());
  const timers = openTimerStore(kv, { name: "debounce", instanceId: "test" });
  const runs: { n: number; at: number }[] = [];
  const gaveUp: { n: number; attempt: number }[] = [];
  let held = 0;
  const debouncer = new Debouncer(control, {
    timers,
    group: "app.settle",
    run: async (e) => {
      runs.push({ n: (e.payload as { n: number }).n, at: performance.now() });
      await run(e);
    },
    held: () => held++,
    gaveUp: async (e) => {
      await gaveUpWith(e);
      gaveUp.push({ n: (e.payload as { n: number }).n, attempt: e.metadata.attempt });
    },
    maxAttempts: 2,
  });
  const loop = startDueLoop(timers, {
    onDue: (timer) => debouncer.fire(timer),
    onError: () => {},
    pollMs: 10,
    retryMs: 20,
  });
  return {
    debouncer,
    runs,
    gaveUp,
    held: () => held,
    async [Symbol.asyncDispose]() {
      await loop.stop();
      await kv.close();
    },
  };
}

function envelope(n: number, at = new Date()): EventEnvelope {
  return {
    id: crypto.randomUUID(),
    topic: "Pinged",
    payload: { n, k: "a" },
    timestamp: at.toISOString(),
    metadata: { trace_id: crypto.randomUUID(), parent_id: null, source: "test", attempt: 1 },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 10_000;
  while (!check()) {
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("a trailing debounce with max runs within max of a burst's first event while events keep coming", async () => {
  await using d = open({ period_ms: 200, key: "k", edge: "trailing", max_wait_ms: 300 });
  const first = performance.now();
  for (let n = 0; performance.now() - first < 700; n++) {
    await d.debouncer.add(envelope(n));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await until(() => d.runs.length >= 2, "two runs");
  const waited = d.runs[0]!.at - first;
  // Events came every 20 ms, far under the 200 ms quiet time: only `max` ended the first burst.
  assert.ok(waited >= 300 * 0.9 && waited < 300 + 400, `the first run came after ${waited} ms`);
});

Deno.test("a redelivered event older than the one a burst ran with does not run again", async () => {
  await using d = open({ period_ms: 50, edge: "trailing" });
  const old = envelope(1, new Date(Date.now() - 1000));
  await d.debouncer.add(old);
  await d.debouncer.add(envelope(2));
  await until(() => d.runs.length === 1, "the run");
  await d.debouncer.add(old); // The broker delivers the first event again.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(d.runs.map((r) => r.n), [2]);
  assert.equal(d.held(), 2, "the superseded event and the late redelivery were held back");
});

Deno.test("a trailing run that keeps failing is retried, then given up after max_attempts", async () => {
  await using d = open(
    { period_ms: 20, edge: "trailing" },
    () => Promise.reject(new Error("The CRM is down")),
  );
  await d.debouncer.add(envelope(7));
  await until(() => d.gaveUp.length === 1, "the give-up");
  assert.deepEqual(d.runs.map((r) => r.n), [7, 7], "two attempts");
  assert.deepEqual(d.gaveUp, [{ n: 7, attempt: 2 }], "given up as run last");
});

Deno.test("a given-up trailing event is not remembered as ran: its replay runs again", async () => {
  let failing = true;
  await using d = open(
    { period_ms: 20, edge: "trailing" },
    () => failing ? Promise.reject(new Error("The CRM is down")) : Promise.resolve(),
  );
  const event = envelope(7);
  await d.debouncer.add(event);
  await until(() => d.gaveUp.length === 1, "the give-up");
  failing = false;
  // A replay of its dead letter: the same event, attempt 1.
  await d.debouncer.add(event);
  await until(() => d.runs.length === 3, "the replayed run");
  assert.deepEqual(d.runs.map((r) => r.n), [7, 7, 7]);
  assert.equal(d.held(), 0, "the replay was not held back as stale");
});

Deno.test("a give-up that could not be stored fires the timer again, runs once more, then is stored", async () => {
  let refusals = 1;
  await using d = open(
    { period_ms: 20, edge: "trailing" },
    () => Promise.reject(new Error("The CRM is down")),
    () => refusals-- > 0 ? Promise.reject(new Error("The broker is down")) : Promise.resolve(),
  );
  await d.debouncer.add(envelope(7));
  await until(() => d.gaveUp.length === 1, "the stored give-up");
  assert.deepEqual(d.runs.map((r) => r.n), [7, 7, 7], "a third run after the refused give-up");
  assert.deepEqual(d.gaveUp, [{ n: 7, attempt: 3 }]);
});

Deno.test("a leading run that fails leaves no burst behind, so its retry runs", async () => {
  let fail = true;
  await using d = open({ period_ms: 60_000, edge: "leading" }, () => {
    if (!fail) return Promise.resolve();
    fail = false;
    return Promise.reject(new Error("Boom"));
  });
  const event = envelope(1);
  await assert.rejects(d.debouncer.add(event), /Boom/);
  await d.debouncer.add(event);
  await d.debouncer.add(envelope(2));
  assert.deepEqual(d.runs.map((r) => r.n), [1, 1], "the retry ran; the next event was dropped");
  assert.equal(d.held(), 1);
});
