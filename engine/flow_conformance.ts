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
import type { Adapter, DeadLetter, DeliveryHandler } from "../adapters/mod.ts";
import { EventBus } from "./events/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";
import { type AppModel, singleHandlerModel, type SubscriptionControls } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import { DeliveryCounter, subscribeEvents } from "./event_wiring.ts";
import { parseConfig } from "../project/mod.ts";
import { createTelemetry, type Telemetry } from "../telemetry/mod.ts";
import { LIMIT_CASES } from "./_limit_cases.ts";
import { DelayedEvents } from "./delayed/mod.ts";
import { createMemoryKvBackend, kvOver } from "../state/mod.ts";

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

/** What a handler call received. */
interface Call {
  at: number;
  events: { id: string; attempt: number; payload: { n: number; k?: string } }[];
}

/** Allowed past a batch's time besides the event loop's measured lag, in milliseconds. */
export const BATCH_NOISE_MS = 150;

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

/** Allowed past a delayed event's time besides the event loop's measured lag, in milliseconds. */
export const DELAY_NOISE_MS = 250;

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
  for (let n = 0; n < 98; n++) {
    await rig.publishOne({ n, k: n % 2 === 0 ? "a" : "b" });
    await pause(8);
  }
  await pause(200);
  await rig.publishOne({ n: 98, k: "a" });
  await rig.publishOne({ n: 99, k: "b" });
  await rig.settled();
  await rig.timersDone();
  const got = calls.map((c) => c.events.map((e) => e.payload)).toSorted((x, y) =>
    x[0]!.n - y[0]!.n
  );
  assert.deepEqual(
    got,
    [[{ n: 98, k: "a" }], [{ n: 99, k: "b" }]],
    "one call per key, last payload",
  );
}

async function debounceLeading(options: FlowConformanceOptions): Promise<void> {
  const calls: Call[] = [];
  const debounce = { period_ms: 500, edge: "leading" } as const;
  await using rig = await FlowRig.open(options, { debounce }, (c) => {
    calls.push(c);
  });
  for (let n = 0; n < 20; n++) await rig.publishOne({ n });
  await rig.settled();
  // The first to arrive runs: the first published where the adapter keeps publish order.
  const first = calls.map((c) => c.events[0]!.payload as { n: number });
  assert.equal(first.length, 1, "one event of the burst ran");
  if (rig.ordered) assert.deepEqual(first, [{ n: 0 }], "the first event ran");
  // The burst ends after 500 ms without an event; the next event opens a new one.
  await pause(600);
  await rig.publishOne({ n: 20 });
  await rig.settled();
  assert.deepEqual(calls.map((c) => c.events[0]!.payload), [first[0], { n: 20 }], "a new burst");
}

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

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One engine over the adapter, with handler `work` of event `Job_<random>` under `controls`. */
class FlowRig {
  readonly topic = `Flow_${crypto.randomUUID().slice(0, 8)}`;
  /** The handler's consumer group. */
  readonly group = groupOf(this.topic);
  readonly counter = new DeliveryCounter();
  readonly #arrivals = new Map<string, number>();
  readonly #published: string[] = [];
  readonly #timeoutMs: number;
  /** The adapter hands a topic's events over in publish order (`guarantees.orderedPerTopic`). */
  ordered = true;
  readonly #lag = new LagProbe();
  /** Delayed events in a store of this process (the adapter carries them once due). */
  readonly delayed: DelayedEvents;
  readonly #kv = kvOver(createMemoryKvBackend());
  #bus!: EventBus;
  #parts!: EngineParts;
  #telemetry!: Telemetry;
  #closers: (() => Promise<void>)[] = [];

  private constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.delayed = new DelayedEvents({
      kv: this.#kv,
      instanceId: "flow",
      publish: (topic, payload, o) => {
        this.counter.expect(1);
        return this.#bus.publish(topic, payload, o);
      },
      telemetry: { metric: () => {}, log: () => {} },
      maxAttempts: 3,
      retryMs: 100,
      deadLetter: (envelope, group, error) => this.#bus.deadLetter(envelope, group, error),
    });
  }

  static async open(
    options: FlowConformanceOptions,
    controls: SubscriptionControls,
    onCall: (call: Call) => void,
  ): Promise<FlowRig> {
    const rig = new FlowRig(options.timeoutMs ?? 30_000);
    rig.#closers.push(() => Promise.resolve(rig.#lag.stop()));
    await rig.#start(await options.create(), controls, onCall);
    return rig;
  }

  async #start(
    inner: Adapter,
    controls: SubscriptionControls,
    onCall: (call: Call) => void,
  ): Promise<void> {
    this.ordered = inner.guarantees.orderedPerTopic;
    this.#bus = new EventBus(this.#recording(inner), {
      retry: { maxAttempts: 3, backoffMs: 50, maxBackoffMs: 100 },
    });
    await this.#bus.start();
    this.#closers.push(() => this.#bus.close());
    this.#telemetry = await createTelemetry(
      parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" }).telemetry,
      { root: "/rohas-flow", otel: false },
    );
    this.#closers.push(() => this.#telemetry.close());
    const work = (events: Call["events"]) => {
      onCall({ at: performance.now(), events: Array.isArray(events) ? events : [events] });
    };
    this.#parts = parts(this.#bus, this.#telemetry, work);
    this.#closers.push(() => this.#parts.runtime.close());
    this.#closers.push(() => this.#kv.close());
    this.delayed.start();
    this.#closers.push(() => this.delayed.stop());
    const subs = await subscribeEvents(model(this.topic, controls), this.#parts, this.#bus, {
      counter: this.counter,
      maxAttempts: 3,
      sharedState: this.#kv,
      delayed: this.delayed,
    });
    this.#closers.push(async () => {
      for (const sub of subs) await sub.close();
    });
  }

  /** The adapter, with the time each delivery reached the engine recorded per id and attempt. */
  #recording(inner: Adapter): Adapter {
    const arrivals = this.#arrivals;
    const subscribe: Adapter["subscribe"] = (topic, group, handler, options) => {
      const timed: DeliveryHandler = (delivery) => {
        const { id, metadata } = delivery.envelope;
        arrivals.set(`${id}:${metadata.attempt}`, performance.now());
        return handler(delivery);
      };
      return inner.subscribe(topic, group, timed, options);
    };
    return Object.assign(Object.create(inner) as Adapter, {
      subscribe,
      start: () => inner.start(),
      publish: (e: Parameters<Adapter["publish"]>[0]) => inner.publish(e),
      close: () => inner.close(),
      listDeadLetters: (topic?: string) => inner.listDeadLetters(topic),
      replayDeadLetters: (topic: string) => inner.replayDeadLetters(topic),
      deadLetter: inner.deadLetter?.bind(inner),
    });
  }

  /** Publishes `count` events `{ n }` at once and expects each to be handled. */
  async publish(count: number): Promise<void> {
    this.counter.expect(count);
    const sent = await Promise.all(
      Array.from(
        { length: count },
        (_, n) => this.#bus.publish(this.topic, { n }, { parentId: null, source: "workbench" }),
      ),
    );
    this.#published.push(...sent.map((e) => e.id));
  }

  /** Publishes one event and expects it to be handled (stored, for a debounced handler). */
  async publishOne(payload: { n: number; k?: string }): Promise<void> {
    this.counter.expect(1);
    const sent = await this.#bus.publish(this.topic, payload, {
      parentId: null,
      source: "workbench",
    });
    this.#published.push(sent.id);
  }

  /** Resolves once no debounce timer waits or fires any more. */
  async timersDone(): Promise<void> {
    const end = performance.now() + this.#timeoutMs;
    const prefix = ["_rohas", "timers"];
    for (;;) {
      let left = 0;
      for await (const _ of this.#kv.list({ prefix })) left++;
      if (left === 0) return;
      if (performance.now() > end) throw new Error(`Timed out waiting for ${left} timer entries`);
      await pause(20);
    }
  }

  /** Resolves once every published event was handled for good. */
  settled(): Promise<void> {
    return deadline(this.counter.idle(), "every event to be handled", this.#timeoutMs);
  }

  arrivalOf(event: { id: string; attempt: number }): number {
    const at = this.#arrivals.get(`${event.id}:${event.attempt}`);
    assert.ok(at !== undefined, `event ${event.id} attempt ${event.attempt} never arrived`);
    return at;
  }

  /** Every published event handled in exactly one of `calls`. */
  assertEachOnce(calls: Call[], count: number): void {
    const ids = calls.flatMap((c) => c.events.map((e) => e.id));
    assert.equal(ids.length, count, "events handled");
    assert.deepEqual(ids.toSorted(), this.#published.toSorted(), "each published event once");
  }

  /** No event of a call waited longer than the batch's time, plus the scheduling noise: the
   * event loop's worst lag seen during the case (a loaded machine runs timers late). */
  assertWaits(calls: Call[], waitMs: number): void {
    const allowed = waitMs + BATCH_NOISE_MS + this.#lag.worst;
    for (const call of calls) {
      const first = Math.min(...call.events.map((e) => this.arrivalOf(e)));
      const waited = call.at - first;
      assert.ok(
        waited <= allowed,
        `a batch of ${call.events.length} ran ${Math.round(waited)} ms after its first event ` +
          `arrived; its time is ${waitMs} ms (event loop lag up to ${
            Math.round(this.#lag.worst)
          } ms)`,
      );
    }
  }

  /** A delayed run was at most {@linkcode DELAY_NOISE_MS} late, beyond the event loop's lag. */
  assertLate(late: number, what: string): void {
    const allowed = DELAY_NOISE_MS + this.#lag.worst;
    assert.ok(
      late <= allowed,
      `ran ${Math.round(late)} ms after ${what} (event loop lag up to ${
        Math.round(this.#lag.worst)
      } ms)`,
    );
  }

  deadLetters(): Promise<unknown[]> {
    return this.#bus.listDeadLetters(this.topic);
  }

  /** The topic's dead letters once there are `count` (a broker may list one a moment late). */
  async deadLettersEventually(count: number): Promise<DeadLetter[]> {
    const end = performance.now() + this.#timeoutMs;
    for (;;) {
      const letters = await this.#bus.listDeadLetters(this.topic);
      if (letters.length === count) return letters;
      if (performance.now() > end) {
        throw new Error(`Timed out waiting for ${count} dead letters; ${letters.length} listed`);
      }
      await pause(50);
    }
  }

  /** Replays the topic's dead letters; resolves with how many. */
  replay(): Promise<number> {
    return this.#bus.replayDeadLetters(this.topic);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const close of this.#closers.reverse()) await close();
  }
}

/** Measures how late the event loop runs a 20 ms timer, the noise every timer here suffers. */
class LagProbe {
  worst = 0;
  #expected = performance.now() + 20;
  readonly #timer = setInterval(() => {
    const now = performance.now();
    this.worst = Math.max(this.worst, now - this.#expected);
    this.#expected = now + 20;
  }, 20);

  stop(): void {
    clearInterval(this.#timer);
  }
}

function groupOf(topic: string): string {
  return `flow.work.${topic}`;
}

function model(topic: string, controls: SubscriptionControls): AppModel {
  return singleHandlerModel({
    project: "flow",
    root: "/rohas-flow",
    event: topic,
    group: groupOf(topic),
    controls,
  });
}

function parts(bus: EventBus, telemetry: Telemetry, work: (events: never) => void): EngineParts {
  return {
    runtime: createInProcessRuntime({
      manifest: {
        root: "file:///rohas-flow/",
        modules: { "src/handlers/events/work.ts": { work } },
      },
    }),
    publisher: { publish: (topic, payload, o) => bus.publish(topic, payload, o) },
    telemetry,
    validators: new Map(),
    config: parseConfig("", { file: "rohas.toml", projectName: "flow" }),
    mode: "dev",
  };
}

function deadline<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
