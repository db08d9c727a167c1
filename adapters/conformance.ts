/**
 * The one conformance suite every adapter runs (docs/design.md#d9-event-delivery and
 * docs/design.md#d10-adapters), built-in or written by a user. Any test file calls
 * {@linkcode adapterConformance} inside its own `Deno.test`; it runs one step per behaviour of the
 * delivery contract, each on fresh topic names, skipping (as `ignore`d) only the cases the
 * adapter's declared guarantees or options rule out. Importing this module registers nothing.
 *
 * The suite waits for signals with deadlines, never for fixed times.
 *
 * @example In an adapter's test file (it declares a `Deno.test` of its own, which a documentation
 * test cannot, so it is not run as one)
 * ```ts ignore
 * import { adapterConformance } from "@rohas/cli/adapters";
 * import { createMemoryAdapter } from "@rohas/cli/adapters";
 * Deno.test("memory adapter conforms to the delivery contract", (t) =>
 *   adapterConformance(t, {
 *     create: () => Promise.resolve(createMemoryAdapter()),
 *     singleProcess: true,
 *   }));
 * ```
 *
 * @module
 */

import type { Adapter, Delivery, EventEnvelope } from "./adapter.ts";

/** Options of {@linkcode adapterConformance}. */
export interface ConformanceOptions {
  /**
   * Creates an adapter, not yet started. Within one test every call must reach the same broker or
   * storage, so two adapters act as two engine instances (and a closed then re-created adapter as a
   * restarted engine). The suite reads `guarantees` of one adapter it never starts, then closes it:
   * `close()` of an adapter that was never started must resolve.
   */
  create: () => Promise<Adapter>;
  /** Two adapters never share messages (the memory adapter): the competing-consumers case is skipped. Default false. */
  singleProcess?: boolean;
  /**
   * A closed adapter re-created in the same process gets back what the old one held. False for
   * Deno KV, which leaves a message it dequeued as the handle closed in flight, out of reach of new
   * handles of the same process (measured: not redelivered within 40 s); the two restart cases are
   * then skipped, and such an adapter's durability is proven across real process restarts by the
   * kill -9 crash test (tests/adapters/crash_test.ts). Default true.
   */
  restartInProcess?: boolean;
  /** Restarts the broker; given, the broker-restart case runs. Default: the case is skipped. */
  restartBroker?: () => Promise<void>;
  /** Deadline for each awaited delivery or condition, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Delay asked for in the retry case, in milliseconds. Default 200. */
  retryDelayMs?: number;
  /** Keep Deno's op sanitizer on. Default true. */
  sanitizeOps?: boolean;
  /** Keep Deno's resource sanitizer on. Default true. */
  sanitizeResources?: boolean;
}

/** One case of the suite. */
interface Case {
  name: string;
  ignore?: (adapter: Adapter, options: ConformanceOptions) => boolean;
  fn: (suite: Suite) => Promise<void>;
}

/**
 * Runs the conformance suite against one adapter, one step of `t` per case.
 *
 * @param t the test context of the caller's `Deno.test`
 * @param options how to create the adapter and what it supports
 * @returns resolves when every step ran (a failed step fails the caller's test)
 *
 * @example Run the suite for an adapter, in a test file (it declares a `Deno.test` of its own,
 * which a documentation test cannot, so it is not run as one)
 * ```ts ignore
 * import { adapterConformance } from "./conformance.ts";
 * import { createMemoryAdapter } from "./memory/mod.ts";
 *
 * Deno.test("memory adapter conforms to the delivery contract", (t) =>
 *   adapterConformance(t, {
 *     create: () => Promise.resolve(createMemoryAdapter()),
 *     singleProcess: true,
 *   }));
 * ```
 */
export async function adapterConformance(
  t: Deno.TestContext,
  options: ConformanceOptions,
): Promise<void> {
  for (const testCase of CASES) {
    // A probe per case: what the adapter guarantees decides whether the case applies. Embedded
    // adapters' test helpers start a fresh store after such a probe (one store per case).
    const probe = await options.create();
    const skip = testCase.ignore?.(probe, options) ?? false;
    await probe.close();
    await t.step({
      name: skip ? `${testCase.name} (skipped: not supported by this adapter)` : testCase.name,
      ignore: skip,
      sanitizeOps: options.sanitizeOps ?? true,
      sanitizeResources: options.sanitizeResources ?? true,
      fn: () => testCase.fn(new Suite(options, testCase.name)),
    });
  }
}

const CASES: Case[] = [
  { name: "delivers a published envelope intact", fn: roundTrip },
  { name: "fans a topic out to every consumer group", fn: fanOut },
  {
    name: "shares a group's events between competing instances, each handled once",
    ignore: (_adapter, options) => options.singleProcess === true,
    fn: competingConsumers,
  },
  {
    name: "keeps publish order per topic at concurrency 1",
    ignore: (adapter) => !adapter.guarantees.orderedPerTopic,
    fn: ordering,
  },
  { name: "handles as many deliveries at once as its concurrency", fn: concurrency },
  {
    name: "redelivers a delivery its subscriber closed without settling",
    fn: unsettledRedelivered,
  },
  {
    name: "redelivers an unsettled delivery after the adapter restarts",
    ignore: (adapter, options) => !adapter.guarantees.durable || options.restartInProcess === false,
    fn: unsettledAfterRestart,
  },
  { name: "redelivers after the retry delay with the next attempt number", fn: retryDelay },
  { name: "delivers each retry once, whatever delays other retries use", fn: retriesOnce },
  { name: "dead-letters with the error and replays to the same group", fn: deadLetterReplay },
  { name: "replays only the dead letters asked for by id", fn: replayById },
  {
    name: "dead-letters an envelope outside a delivery and replays it to that group alone",
    ignore: (adapter) => adapter.deadLetter === undefined,
    fn: deadLetterOutside,
  },
  {
    name: "delivers publishes with one idempotency key once",
    ignore: (adapter) => !adapter.guarantees.deduplicates,
    fn: idempotency,
  },
  { name: "lets an in-flight delivery finish when a subscription closes", fn: closeSubscription },
  { name: "lets an in-flight delivery finish when the adapter closes", fn: closeAdapter },
  {
    name: "keeps published events across an adapter restart",
    ignore: (adapter, options) => !adapter.guarantees.durable || options.restartInProcess === false,
    fn: durability,
  },
  {
    name: "loses nothing when the broker restarts mid-stream",
    ignore: (_adapter, options) => options.restartBroker === undefined,
    fn: brokerRestart,
  },
];

// ---------------------------------------------------------------------------------------------
// Cases

async function roundTrip(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const sent = suite.envelope({
    text: "héllo ✓",
    n: 42.5,
    nested: { list: [1, "two", null, true], empty: {} },
  }, { idempotency_key: `rt-${crypto.randomUUID()}`, parent_id: crypto.randomUUID() });
  await adapter.publish(sent);
  const [received] = await inbox.waitFor(1, "the published envelope");
  assertEquals(received?.envelope, sent, "the delivered envelope");
}

async function fanOut(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const groups = ["conformance.g1", "conformance.g2", "conformance.g3"];
  const inboxes = groups.map(() => new Inbox(suite));
  for (const [i, group] of groups.entries()) {
    await adapter.subscribe(suite.topic, group, (inboxes[i] as Inbox).acking());
  }
  const sent = await suite.publishMany(adapter, 5);
  for (const [i, inbox] of inboxes.entries()) {
    const received = await inbox.waitFor(5, `five events in group ${groups[i]}`);
    assertEquals(ids(received).sort(), ids(sent).sort(), `the events of group ${groups[i]}`);
  }
}

async function competingConsumers(suite: Suite): Promise<void> {
  await using first = await suite.open();
  await using second = await suite.open();
  const inbox = new Inbox(suite);
  await first.subscribe(suite.topic, "conformance.shared", inbox.acking());
  await second.subscribe(suite.topic, "conformance.shared", inbox.acking());
  const sent = await suite.publishMany(first, 20);
  await inbox.waitFor(20, "twenty events across both instances");
  await first.close();
  await second.close();
  assertEquals(ids(inbox.items).sort(), ids(sent).sort(), "each event handled exactly once");
}

async function ordering(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking(), { concurrency: 1 });
  const sent = await suite.publishMany(adapter, 20);
  const received = await inbox.waitFor(20, "twenty events");
  assertEquals(ids(received), ids(sent), "the delivery order");
}

async function concurrency(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const release = Promise.withResolvers<void>();
  const inbox = new Inbox(suite);
  let active = 0;
  let most = 0;
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    most = Math.max(most, ++active);
    inbox.push(delivery);
    await release.promise;
    active--;
    await delivery.ack();
  }, { concurrency: 3 });
  await suite.publishMany(adapter, 5);
  await inbox.waitFor(3, "three deliveries at once");
  await nextMacrotask();
  assertEquals(inbox.items.length, 3, "deliveries in flight at concurrency 3");
  release.resolve();
  await inbox.waitFor(5, "all five events");
  assertEquals(most, 3, "the most deliveries in flight at once");
}

async function unsettledRedelivered(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const gate = new Gate();
  const first = await adapter.subscribe(suite.topic, "conformance.g1", async () => {
    gate.entered();
    await gate.released;
  });
  const [sent] = await suite.publishMany(adapter, 1);
  await suite.deadline(gate.reached, "the first delivery");
  const closing = first.close();
  gate.release();
  await suite.deadline(closing, "the subscription to close");
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const [again] = await inbox.waitFor(1, "the unsettled event again");
  assertEquals(again?.envelope.id, sent?.id, "the redelivered event id");
}

async function unsettledAfterRestart(suite: Suite): Promise<void> {
  const gate = new Gate();
  const before = await suite.open();
  await before.subscribe(suite.topic, "conformance.g1", async () => {
    gate.entered();
    await gate.released;
  });
  const [sent] = await suite.publishMany(before, 1);
  await suite.deadline(gate.reached, "the first delivery");
  const closing = before.close();
  gate.release();
  await suite.deadline(closing, "the adapter to close");
  await using after = await suite.open();
  const inbox = new Inbox(suite);
  await after.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const [again] = await inbox.waitFor(1, "the unsettled event after the restart");
  assertEquals(again?.envelope.id, sent?.id, "the redelivered event id");
}

async function retryDelay(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const delay = suite.options.retryDelayMs ?? 200;
  const inbox = new Inbox(suite);
  const retriedAt: number[] = [];
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    if (delivery.envelope.metadata.attempt === 1) {
      retriedAt.push(performance.now());
      await delivery.retry(delay, "Try again");
    } else await delivery.ack();
  });
  const [sent] = await suite.publishMany(adapter, 1);
  const [first, second] = await inbox.waitFor(2, "the retried delivery");
  const elapsed = performance.now() - (retriedAt[0] ?? 0);
  assertEquals(first?.envelope.metadata.attempt, 1, "the first attempt number");
  assertEquals(second?.envelope.metadata.attempt, 2, "the retried attempt number");
  assertEquals(second?.envelope.id, sent?.id, "the retried event id");
  assertEquals(second?.envelope.payload, sent?.payload, "the retried payload");
  assert(elapsed >= delay * 0.8, `Retried after ${Math.round(elapsed)} ms, asked for ${delay} ms`);
}

async function retriesOnce(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const delays = [100, 600, 1100];
  const retried: string[] = [];
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    const { n } = delivery.envelope.payload as { n: number };
    if (delivery.envelope.metadata.attempt > 1) {
      retried.push(delivery.envelope.id);
      await delivery.ack();
    } else await delivery.retry(delays[n]!, "Try again");
  });
  const sent = await suite.publishMany(adapter, delays.length);
  await suite.eventually(() => Promise.resolve(retried.length >= delays.length), "every retry");
  // A copy of a retry would come back after another retry's delay: wait out the longest one.
  await new Promise((resolve) => setTimeout(resolve, Math.max(...delays) + 500));
  assertEquals(retried.toSorted(), sent.map((e) => e.id).toSorted(), "each retry, once");
}

async function deadLetterReplay(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    if (inbox.items.length === 1) await delivery.deadLetter("Boom: the handler failed");
    else await delivery.ack();
  });
  const [sent] = await suite.publishMany(adapter, 1);
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 1,
    "the dead letter",
  );
  const [letter] = await adapter.listDeadLetters(suite.topic);
  assertEquals(letter?.envelope.id, sent?.id, "the dead letter's event id");
  assertEquals(letter?.envelope.payload, sent?.payload, "the dead letter's payload");
  assertEquals(letter?.group, "conformance.g1", "the dead letter's group");
  assertEquals(letter?.error, "Boom: the handler failed", "the dead letter's error");
  assert(!Number.isNaN(Date.parse(letter?.failed_at ?? "")), "failed_at is an ISO date");
  const all = await adapter.listDeadLetters();
  assert(
    all.some((each) => each.envelope.id === sent?.id),
    "listDeadLetters() without a topic lists it",
  );
  assertEquals(await adapter.replayDeadLetters(suite.topic), 1, "the number replayed");
  const [, replayed] = await inbox.waitFor(2, "the replayed event");
  assertEquals(replayed?.envelope.id, sent?.id, "the replayed event id");
  assertEquals(replayed?.envelope.metadata.attempt, 1, "the replayed attempt number");
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 0,
    "the dead letter to be gone",
  );
}

async function replayById(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  const seen = new Set<string>();
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    const first = !seen.has(delivery.envelope.id);
    seen.add(delivery.envelope.id);
    if (first) await delivery.deadLetter("Failed");
    else await delivery.ack();
  });
  const [kept, replayed] = await suite.publishMany(adapter, 2);
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 2,
    "two dead letters",
  );
  const count = await adapter.replayDeadLetters(suite.topic, { ids: [replayed?.id ?? ""] });
  assertEquals(count, 1, "the number replayed");
  const received = await inbox.waitFor(3, "the replayed event");
  assertEquals(received[2]?.envelope.id, replayed?.id, "the replayed event id");
  const left = await adapter.listDeadLetters(suite.topic);
  assertEquals(ids(left.map((letter) => letter)), [kept?.id], "the dead letters left");
}

async function deadLetterOutside(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  const other = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  await adapter.subscribe(suite.topic, "conformance.g2", other.acking());
  // As the engine gives up a run it held itself: the broker settled the delivery long ago.
  const held = suite.envelope({ n: 1 }, { attempt: 3 });
  await adapter.deadLetter?.(held, "conformance.g1", "Boom: the held run failed");
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 1,
    "the dead letter",
  );
  const [letter] = await adapter.listDeadLetters(suite.topic);
  assertEquals(letter?.envelope, held, "the dead letter's envelope, attempt included");
  assertEquals(letter?.group, "conformance.g1", "the dead letter's group");
  assertEquals(letter?.error, "Boom: the held run failed", "the dead letter's error");
  assert(!Number.isNaN(Date.parse(letter?.failed_at ?? "")), "failed_at is an ISO date");
  const all = await adapter.listDeadLetters();
  assert(all.some((each) => each.envelope.id === held.id), "listDeadLetters() lists it");
  assertEquals(await adapter.replayDeadLetters(suite.topic), 1, "the number replayed");
  const [replayed] = await inbox.waitFor(1, "the replayed event");
  assertEquals(replayed?.envelope.id, held.id, "the replayed event id");
  assertEquals(replayed?.envelope.payload, held.payload, "the replayed payload");
  assertEquals(replayed?.envelope.metadata.attempt, 1, "the replayed attempt number");
  // A later event reaches both groups; the replay reached the first alone.
  const [later] = await suite.publishMany(adapter, 1, 1);
  await inbox.waitFor(2, "the later event in the first group");
  await other.waitFor(1, "the later event in the other group");
  assertEquals(ids(other.items), [later?.id], "the events of the other group");
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 0,
    "the dead letter to be gone",
  );
}

async function idempotency(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const key = `key-${crypto.randomUUID()}`;
  const original = suite.envelope({ n: 1 }, { idempotency_key: key });
  const duplicate = suite.envelope({ n: 1 }, { idempotency_key: key });
  const other = suite.envelope({ n: 2 });
  await adapter.publish(original);
  await adapter.publish(duplicate);
  await adapter.publish(other);
  const received = await inbox.waitFor(2, "the original and the other event");
  await adapter.close();
  assertEquals(ids(inbox.items).sort(), [original.id, other.id].sort(), "the events delivered");
  assertEquals(received.length, 2, "deliveries");
}

async function closeSubscription(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const gate = new Gate();
  let finished = false;
  const inbox = new Inbox(suite);
  const subscription = await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    gate.entered();
    await gate.released;
    await delivery.ack();
    finished = true;
  }, { concurrency: 1 });
  const sent = await suite.publishMany(adapter, 2);
  await suite.deadline(gate.reached, "the first delivery");
  let closed = false;
  const closing = subscription.close().then(() => closed = true);
  await nextMacrotask();
  assert(!closed, "close() resolved while a delivery was in flight");
  gate.release();
  await suite.deadline(closing, "the subscription to close");
  assert(finished, "close() resolved before the in-flight handler finished");
  assertEquals(inbox.items.length, 1, "deliveries to a closed subscription");
  const rest = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", rest.acking());
  const [second] = await rest.waitFor(1, "the event not delivered before close");
  // Not necessarily sent[1]: adapters that do not keep order may have delivered it first.
  const remaining = sent.find((event) => event.id !== inbox.items[0]?.envelope.id);
  assertEquals(second?.envelope.id, remaining?.id, "the remaining event id");
}

async function closeAdapter(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const gate = new Gate();
  let finished = false;
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    gate.entered();
    await gate.released;
    await delivery.ack();
    finished = true;
  });
  await suite.publishMany(adapter, 1);
  await suite.deadline(gate.reached, "the first delivery");
  let closed = false;
  const closing = adapter.close().then(() => closed = true);
  await nextMacrotask();
  assert(!closed, "close() resolved while a delivery was in flight");
  gate.release();
  await suite.deadline(closing, "the adapter to close");
  assert(finished, "close() resolved before the in-flight handler finished");
  await adapter.close();
  await assertRejects(() => adapter.publish(suite.envelope({})), "publish() after close()");
}

async function durability(suite: Suite): Promise<void> {
  const before = await suite.open();
  const subscription = await before.subscribe(
    suite.topic,
    "conformance.g1",
    (delivery) => delivery.ack(),
  );
  await subscription.close();
  const sent = await suite.publishMany(before, 3);
  await before.close();
  await using after = await suite.open();
  const inbox = new Inbox(suite);
  await after.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const received = await inbox.waitFor(3, "the events published before the restart");
  assertEquals(ids(received).sort(), ids(sent).sort(), "the events after the restart");
}

async function brokerRestart(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const before = await suite.publishMany(adapter, 5);
  await inbox.waitFor(5, "the events before the broker restart");
  await suite.options.restartBroker?.();
  const after = await suite.publishMany(adapter, 5, 5);
  await inbox.waitFor(10, "the events after the broker restart");
  const unique = new Set(ids(inbox.items));
  assertEquals([...unique].sort(), ids([...before, ...after]).sort(), "the events delivered");
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Disposable = Adapter & AsyncDisposable;

class Suite {
  readonly options: ConformanceOptions;
  readonly topic: string;
  readonly timeoutMs: number;

  constructor(options: ConformanceOptions, caseName: string) {
    this.options = options;
    const slug = caseName.split(" ").slice(0, 2).join("_");
    this.topic = `Conformance_${slug}_${crypto.randomUUID().slice(0, 8)}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async open(): Promise<Disposable> {
    const adapter = await this.options.create();
    await adapter.start();
    return Object.assign(adapter, { [Symbol.asyncDispose]: () => adapter.close() });
  }

  envelope(payload: unknown, metadata: Partial<EventEnvelope["metadata"]> = {}): EventEnvelope {
    return {
      id: crypto.randomUUID(),
      topic: this.topic,
      payload,
      timestamp: new Date().toISOString(),
      metadata: {
        trace_id: crypto.randomUUID(),
        parent_id: null,
        source: "workbench",
        attempt: 1,
        ...metadata,
      },
    };
  }

  async publishMany(adapter: Adapter, count: number, from = 0): Promise<EventEnvelope[]> {
    const sent: EventEnvelope[] = [];
    for (let n = from; n < from + count; n++) {
      const envelope = this.envelope({ n });
      await adapter.publish(envelope);
      sent.push(envelope);
    }
    return sent;
  }

  deadline<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Timed out after ${this.timeoutMs} ms waiting for ${what}`)),
        this.timeoutMs,
      );
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  }

  async eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const end = performance.now() + this.timeoutMs;
    while (!(await check())) {
      if (performance.now() > end) {
        throw new Error(`Timed out after ${this.timeoutMs} ms waiting for ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Collects deliveries and lets a test await a count of them. */
class Inbox {
  readonly items: Delivery[] = [];
  readonly #suite: Suite;
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(suite: Suite) {
    this.#suite = suite;
  }

  push(delivery: Delivery): void {
    this.items.push(delivery);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.items.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  /** A handler that records and acknowledges each delivery. */
  acking(): (delivery: Delivery) => Promise<void> {
    return async (delivery) => {
      await delivery.ack();
      this.push(delivery);
    };
  }

  async waitFor(count: number, what: string): Promise<Delivery[]> {
    if (this.items.length < count) {
      const reached = Promise.withResolvers<void>();
      this.#waiters.push({ count, resolve: reached.resolve });
      await this.#suite.deadline(
        reached.promise,
        `${what} (${this.items.length} of ${count} so far)`,
      )
        .catch((error) => {
          throw new Error(`${error.message}; got ${this.items.length}`);
        });
    }
    return this.items.slice(0, count);
  }
}

/** Holds a handler until the test releases it. */
class Gate {
  readonly #reached = Promise.withResolvers<void>();
  readonly #released = Promise.withResolvers<void>();
  readonly reached = this.#reached.promise;
  readonly released = this.#released.promise;

  entered(): void {
    this.#reached.resolve();
  }

  release(): void {
    this.#released.resolve();
  }
}

function ids(items: ({ envelope: EventEnvelope } | EventEnvelope)[]): string[] {
  return items.map((item) => "envelope" in item ? item.envelope.id : item.id);
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function assertEquals(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(sorted(actual));
  const e = JSON.stringify(sorted(expected));
  if (a !== e) throw new Error(`Unexpected ${what}: expected ${e}, got ${a}`);
}

async function assertRejects(action: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await action();
  } catch {
    return;
  }
  throw new Error(`Expected ${what} to reject`);
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return Object.fromEntries(entries.map(([key, item]) => [key, sorted(item)]));
}
