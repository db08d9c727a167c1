/**
 * Flow control cases every adapter runs (tests/adapters/*_test.ts):
 * the engine's own event wiring (`subscribeEvents`, the event bus, the in-process runtime) over
 * the real broker, with the schema's controls on one handler. Each case measures the property it
 * asserts (sizes of the calls, how long a delivery waited before its call), awaiting signals with
 * deadlines, never fixed sleeps.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Adapter } from "../adapters/mod.ts";
import type { SubscriptionControls } from "./app_model.ts";
import { LIMIT_CASES } from "./_limit_cases.ts";
import { type Call, deadline, FlowRig, pause } from "./_flow_rig.ts";

/** Options of {@linkcode flowConformance}. */
export interface FlowConformanceOptions {
  /** Creates an adapter, not yet started; each case creates its own. */
  create: () => Promise<Adapter>;
  /** Deadline of each awaited condition, in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Keep Deno's op and resource sanitizers on. Default true. */
  sanitize?: boolean;
  /**
   * Two adapters never share events (memory, embedded stores): the limits cases run one engine
   * instance instead of two. Default false.
   */
  singleProcess?: boolean;
}

export { BATCH_NOISE_MS, DELAY_NOISE_MS } from "./_flow_rig.ts";

/**
 * Runs the flow control cases against one adapter, one step of `t` per case.
 *
 * @param t the caller's test context
 * @param options how to create the adapter
 * @returns resolves when every case ran (a failed case fails the caller's test)
 *
 * @example In an adapter's test file (it declares a `Deno.test` of its own, so it is not run as a
 * documentation test)
 * ```ts ignore
 * import { flowConformance } from "../../engine/mod.ts";
 * import { createMemoryAdapter } from "../../adapters/memory/mod.ts";
 * Deno.test("the engine's flow controls hold on the memory adapter", (t) =>
 *   flowConformance(t, { create: () => Promise.resolve(createMemoryAdapter()) }));
 * ```
 */
export async function flowConformance(
  t: Deno.TestContext,
  options: FlowConformanceOptions,
): Promise<void> {
  for (const [name, fn] of CASES) {
    const sanitize = options.sanitize ?? true;
    await t.step({
      name,
      sanitizeOps: sanitize,
      sanitizeResources: sanitize,
      fn: () => fn(options),
    });
  }
}

type FlowCase = (options: FlowConformanceOptions) => Promise<void>;

const CASES: [string, FlowCase][] = [
  ["batch: calls never exceed their size, and a full batch runs at once", batchSize],
  ["batch: a partial batch runs when its time is up, never later", batchTime],
  ["batch: a failed batch is retried as events, none lost", batchRetry],
  [
    "debounce: 100 events in 1 s by key arrive as one call per key with its last payload",
    debounceTrailing,
  ],
  ["debounce: leading runs the first event of a burst and drops the rest", debounceLeading],
  ["delay: a handler sees each event its delay after the publish, not sooner", handlerDelay],
  ["delay: a delayed publish arrives within 250 ms of its time; a cancelled one never", publishAt],
  [
    "debounce: a run that fails for good is dead-lettered for its handler, and replays run it",
    debounceDeadLetter,
  ],
  [
    "delay: a held delivery that fails for good is dead-lettered for its handler, and replays run it",
    delayDeadLetter,
  ],
  ...LIMIT_CASES,
];

async function handlerDelay(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  const all = Promise.withResolvers<void>();
  await using rig = await FlowRig.open(options, { delay_ms: 400 }, (c) => {
    calls.push(c);
    if (calls.length === 3) all.resolve();
  });
  const published = performance.now();
  await rig.publish(3);
  await deadline(all.promise, "the 3 delayed calls", options.timeoutMs ?? 30_000);
  rig.assertEachOnce(calls, 3);
  for (const call of calls) {
    const waited = call.at - published;
    assert.ok(waited >= 400 * 0.95, `a delayed event ran ${Math.round(waited)} ms after publish`);
    rig.assertLate(waited - 400, "a delay of 400 ms");
  }
}

async function publishAt(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  const arrived = Promise.withResolvers<void>();
  await using rig = await FlowRig.open(options, {}, (c) => {
    calls.push(c);
    arrived.resolve();
  });
  const at = Date.now() + 300;
  const cause = { parentId: null, source: "workbench" };
  await rig.delayed.schedule(rig.topic, { n: 1 }, cause, { at, key: "kept" });
  await rig.delayed.schedule(rig.topic, { n: 2 }, cause, { at: at - 100, key: "cancelled" });
  assert.equal(await rig.delayed.cancel(rig.topic, "cancelled"), true);
  await deadline(arrived.promise, "the delayed event", options.timeoutMs ?? 30_000);
  const late = Date.now() - at;
  assert.ok(late >= 0, `the delayed event came ${-late} ms early`);
  rig.assertLate(late, "its time");
  await rig.settled();
  assert.deepEqual(calls.flatMap((c) => c.events.map((e) => e.payload.n)), [1]);
}

async function batchSize(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  await using rig = await FlowRig.open(options, { batch: { size: 5, wait_ms: 1000 } }, (c) => {
    calls.push(c);
  });
  await rig.publish(23);
  await rig.settled();
  const sizes = calls.map((c) => c.events.length);
  assert.ok(sizes.every((n) => n <= 5), `a call exceeded 5 events: ${sizes.join(", ")}`);
  assert.ok(sizes.includes(5), `no full batch of 5 among the calls: ${sizes.join(", ")}`);
  rig.assertEachOnce(calls, 23);
  rig.assertWaits(calls, 1000);
}

async function batchTime(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  await using rig = await FlowRig.open(options, { batch: { size: 50, wait_ms: 300 } }, (c) => {
    calls.push(c);
  });
  await rig.publish(3);
  await rig.settled();
  rig.assertEachOnce(calls, 3);
  rig.assertWaits(calls, 300);
  const first = calls[0]!;
  const waited = first.at - rig.arrivalOf(first.events[0]!);
  // A batch that never fills runs when its time is up, not before (minus timer granularity).
  assert.ok(waited >= 300 * 0.9, `the partial batch ran after ${Math.round(waited)} ms, not 300`);
}

async function batchRetry(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  await using rig = await FlowRig.open(options, { batch: { size: 4, wait_ms: 200 } }, (c) => {
    calls.push(c);
    if (calls.length === 1) throw new Error("The first batch fails");
  });
  await rig.publish(6);
  await rig.settled();
  const failed = new Set(calls[0]!.events.map((e) => e.id));
  const later = calls.slice(1).flatMap((c) => c.events);
  for (const id of failed) {
    const again = later.find((e) => e.id === id);
    assert.equal(again?.attempt, 2, `event ${id} of the failed batch came back as attempt 2`);
  }
  rig.assertEachOnce(calls.slice(1), 6);
  assert.deepEqual(await rig.deadLetters(), [], "nothing was dead-lettered");
}

async function debounceTrailing(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  const debounce = { period_ms: 1000, key: "k", edge: "trailing" } as const;
  await using rig = await FlowRig.open(options, { debounce }, (c) => {
    calls.push(c);
  });
  // 98 events over 0.8 s on two keys, then each key's last one 0.2 s later: in 1 s, and apart
  // enough that the last of each key is also the last one delivered on any broker.
  const sent: { id: string; k: string }[] = [];
  const publish = async (n: number, k: string) =>
    sent.push({ id: await rig.publishOne({ n, k }), k });
  for (let n = 0; n < 98; n++) {
    await publish(n, n % 2 === 0 ? "a" : "b");
    await pause(8);
  }
  await pause(200);
  await publish(98, "a");
  await publish(99, "b");
  await rig.settled();
  await rig.timersDone();
  const got = calls.map((c) => c.events.map((e) => e.payload)).toSorted((x, y) =>
    x[0]!.n - y[0]!.n
  );
  // One burst per key needs no pause of a period between two of its events as the engine got them;
  // a machine or broker that stalled longer splits a burst in two calls, rightly.
  const gap = longestArrivalGap(rig, sent);
  if (gap < debounce.period_ms - DEBOUNCE_SLACK_MS) {
    assert.deepEqual(
      got,
      [[{ n: 98, k: "a" }], [{ n: 99, k: "b" }]],
      "one call per key, last payload",
    );
    return;
  }
  for (const k of ["a", "b"]) {
    const ofKey = got.filter((payloads) => payloads[0]!.k === k);
    const ns = ofKey.map((payloads) => {
      assert.equal(payloads.length, 1, `a call of key ${k} has one event (its burst's last)`);
      return payloads[0]!.n;
    });
    const why = `(a pause of ${Math.round(gap)} ms between two events of one key)`;
    assert.equal(
      ns.at(-1),
      k === "a" ? 98 : 99,
      `key ${k}'s last call has its last payload ${why}`,
    );
    assert.ok(ns.length <= 3, `key ${k}: ${ns.length} calls ${why}`);
    if (rig.ordered) assert.deepEqual(ns, ns.toSorted((x, y) => x - y), `key ${k} in order ${why}`);
  }
}

/** How much later than its delivery the debounce hub may take an event in, on a loaded machine. */
const DEBOUNCE_SLACK_MS = 500;

/** The longest time between two events of one key (if they have keys) reaching the engine, in ms. */
function longestArrivalGap(rig: FlowRig, sent: { id: string; k?: string }[]): number {
  let longest = 0;
  for (const k of new Set(sent.map((s) => s.k))) {
    const times = sent.filter((s) => s.k === k).map((s) => rig.arrivalOf({ id: s.id, attempt: 1 }))
      .toSorted((x, y) => x - y);
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  }
  return longest;
}

async function debounceLeading(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  const debounce = { period_ms: 500, edge: "leading" } as const;
  await using rig = await FlowRig.open(options, { debounce }, (c) => {
    calls.push(c);
  });
  const sent: { id: string }[] = [];
  for (let n = 0; n < 20; n++) sent.push({ id: await rig.publishOne({ n }) });
  await rig.settled();
  // The first to arrive runs: the first published where the adapter keeps publish order.
  const first = calls.map((c) => c.events[0]!.payload as { n: number });
  if (rig.ordered) assert.deepEqual(first[0], { n: 0 }, "the first event ran");
  // One burst needs no pause of a period between two of its events as the engine got them; a
  // machine or broker that stalled longer started a second burst, rightly.
  const gap = longestArrivalGap(rig, sent);
  if (gap < debounce.period_ms - LEADING_SLACK_MS) {
    assert.equal(first.length, 1, "one event of the burst ran");
  } else {
    // Each run opened a burst: its event reached the engine a period after the one before it.
    const arrived = sent.map((s) => rig.arrivalOf({ id: s.id, attempt: 1 })).toSorted((x, y) =>
      x - y
    );
    for (const call of calls.slice(1)) {
      const at = rig.arrivalOf(call.events[0]!);
      const before = arrived.filter((t) => t < at).at(-1) ?? -Infinity;
      assert.ok(
        at - before >= debounce.period_ms - LEADING_SLACK_MS,
        `a run ${Math.round(at - before)} ms after the event before it opened no new burst`,
      );
    }
  }
  // The burst ends after 500 ms without an event; the next event opens a new one.
  await pause(600);
  await rig.publishOne({ n: 20 });
  await rig.settled();
  assert.deepEqual(calls.map((c) => c.events[0]!.payload), [...first, { n: 20 }], "a new burst");
}

/** How much later than its delivery the hub may take an event in, for a period of 500 ms. */
const LEADING_SLACK_MS = 250;

function debounceDeadLetter(options: FlowConformanceOptions): Promise<void> {
  return heldDeadLetter(options, { debounce: { period_ms: 100, edge: "trailing" } });
}

function delayDeadLetter(options: FlowConformanceOptions): Promise<void> {
  return heldDeadLetter(options, { delay_ms: 100 });
}

/**
 * A handler that the engine runs itself (from a debounced burst, or a delivery held for its
 * delay) keeps failing: after its 3 attempts, the event is a dead letter of its group, with the
 * error and the attempts; replayed, it runs again, and succeeds.
 */
async function heldDeadLetter(
  options: FlowConformanceOptions,
  controls: SubscriptionControls,
): Promise<void> {
  const calls: Call[] = [];
  let failing = true;
  const again = Promise.withResolvers<void>();
  await using rig = await FlowRig.open(options, controls, (c) => {
    calls.push(c);
    if (failing) throw new Error("The CRM is down");
    again.resolve();
  });
  await rig.publishOne({ n: 1 });
  const [letter] = await rig.deadLettersEventually(1);
  assert.deepEqual(
    [letter?.group, letter?.error, letter?.envelope.metadata.attempt, letter?.envelope.payload],
    [rig.group, "The CRM is down", 3, { n: 1 }],
    "the dead letter's group, error, attempts and payload",
  );
  assert.equal(calls.length, 3, "runs before it was dead-lettered");
  failing = false;
  assert.equal(await rig.replay(), 1, "dead letters replayed");
  await deadline(again.promise, "the replayed run", options.timeoutMs ?? 30_000);
  const replayed = calls.at(-1)?.events[0];
  assert.deepEqual([replayed?.id, replayed?.attempt], [letter?.envelope.id, 1], "the replayed run");
  assert.deepEqual(await rig.deadLettersEventually(0), [], "no dead letter left");
}
