/**
 * A broker adapter written outside the framework, proven by the conformance suite and served by
 * `createApp`: what a user does to plug in a broker Rohas does not ship.
 *
 * The adapter keeps one queue per consumer group in memory. It does not survive a restart and does
 * not deduplicate, and says so in its `guarantees`: the suite skips the cases those rule out.
 *
 *   deno test -A docs/examples/custom_adapter_test.ts
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Adapter,
  adapterConformance,
  type DeadLetter,
  type Delivery,
  type DeliveryHandler,
  type EventEnvelope,
  PUBLISH_GROUP,
  type Subscription,
} from "@rohas/cli/adapters";
import { createApp } from "@rohas/cli";
import { manifest } from "../../examples/hello-ts/src/generated/manifest.ts";

/** One subscriber of a group: its handler, how many deliveries it takes at once, those running. */
interface Consumer {
  handler: DeliveryHandler;
  concurrency: number;
  running: Set<Promise<void>>;
  closed: boolean;
}

/** A consumer group of a topic: the events waiting for it and who consumes them. */
interface Group {
  topic: string;
  name: string;
  waiting: EventEnvelope[];
  consumers: Consumer[];
}

/** Every group gets each event of its topic; within a group, one consumer handles it. */
class QueueAdapter implements Adapter {
  readonly type = "queue";
  readonly guarantees = { durable: false, orderedPerTopic: true, deduplicates: false };
  #groups = new Map<string, Group>();
  #dead: DeadLetter[] = [];
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  #onError: (error: unknown) => void;

  /**
   * @param onError told when a handler throws (the engine's event bus never does: it settles
   * every delivery itself); the delivery stays unsettled and goes to the next consumer
   */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  publish(envelope: EventEnvelope): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("Cannot publish: the adapter is closed"));
    for (const group of this.#groups.values()) {
      if (group.topic === envelope.topic) this.#enqueue(group, structuredClone(envelope));
    }
    return Promise.resolve();
  }

  subscribe(
    topic: string,
    name: string,
    handler: DeliveryHandler,
    options: { concurrency?: number } = {},
  ): Promise<Subscription> {
    const key = `${topic}\u0000${name}`;
    const group = this.#groups.get(key) ?? { topic, name, waiting: [], consumers: [] };
    this.#groups.set(key, group);
    const consumer = {
      handler,
      concurrency: options.concurrency ?? 1,
      running: new Set<Promise<void>>(),
      closed: false,
    };
    group.consumers.push(consumer);
    this.#pump(group);
    return Promise.resolve({ topic, group: name, close: () => this.#stop(consumer) });
  }

  listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    return Promise.resolve(
      this.#dead.filter((d) => topic === undefined || d.envelope.topic === topic),
    );
  }

  /**
   * Optional: the engine calls it when a run it held (debounce, a handler's delay) fails for good,
   * and when a delayed publish fails (group `PUBLISH_GROUP`, which a replay publishes again).
   */
  deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    this.#dead.push({ envelope, group, error, failed_at: new Date().toISOString() });
    return Promise.resolve();
  }

  replayDeadLetters(topic: string, options: { ids?: string[] } = {}): Promise<number> {
    const chosen = (d: DeadLetter) =>
      d.envelope.topic === topic &&
      (options.ids === undefined || options.ids.includes(d.envelope.id));
    const replayed = this.#dead.filter(chosen);
    this.#dead = this.#dead.filter((d) => !chosen(d));
    for (const letter of replayed) {
      const metadata = { ...letter.envelope.metadata, attempt: 1 };
      // A publish's dead letter goes to every group of the topic, as a publish does.
      const groups = letter.group === PUBLISH_GROUP
        ? [...this.#groups.values()].filter((group) => group.topic === topic)
        : [this.#groups.get(`${topic}\u0000${letter.group}`)];
      for (const group of groups) if (group) this.#enqueue(group, { ...letter.envelope, metadata });
    }
    return Promise.resolve(replayed.length);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const consumers = [...this.#groups.values()].flatMap((g) => g.consumers);
    await Promise.all(consumers.map((c) => this.#stop(c)));
  }

  async #stop(consumer: Consumer): Promise<void> {
    consumer.closed = true;
    await Promise.all(consumer.running);
  }

  #enqueue(group: Group, envelope: EventEnvelope): void {
    group.waiting.push(envelope);
    this.#pump(group);
  }

  /** Hands waiting events to consumers with room, in order. */
  #pump(group: Group): void {
    for (const consumer of group.consumers) {
      while (!consumer.closed && consumer.running.size < consumer.concurrency) {
        const envelope = group.waiting.shift();
        if (envelope === undefined) return;
        this.#deliver(group, consumer, envelope);
      }
    }
  }

  #deliver(group: Group, consumer: Consumer, envelope: EventEnvelope): void {
    let settled = false;
    const settle = (then: () => void) => {
      settled = true;
      then();
      return Promise.resolve();
    };
    const delivery: Delivery = {
      envelope,
      ack: () => settle(() => {}),
      retry: (delayMs) =>
        settle(() => {
          const metadata = { ...envelope.metadata, attempt: envelope.metadata.attempt + 1 };
          const timer = setTimeout(() => {
            this.#timers.delete(timer);
            this.#enqueue(group, { ...envelope, metadata });
          }, delayMs);
          this.#timers.add(timer);
        }),
      deadLetter: (error) => settle(() => void this.deadLetter(envelope, group.name, error)),
    };
    const running: Promise<void> = consumer.handler(delivery)
      .catch((error: unknown) => this.#onError(error))
      .finally(() => {
        consumer.running.delete(running);
        if (!settled) group.waiting.unshift(envelope);
        this.#pump(group);
      });
    consumer.running.add(running);
  }
}

/** No handler of these tests throws: if one does, the test says so. */
function fail(error: unknown): never {
  throw new Error(`A handler threw: ${String(error)}`);
}

Deno.test("a user-written adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () => Promise.resolve(new QueueAdapter(fail)),
    // Two instances share nothing: the competing-consumers case does not apply.
    singleProcess: true,
  }));

Deno.test("createApp publishes a handler's events through a user-written adapter", async () => {
  const app = await createApp({ manifest, adapter: new QueueAdapter(fail), cron: false });
  try {
    const res = await app.handler(
      new Request("http://app.test/users", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Ada", email: "ada@example.com" }),
      }),
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
    // Resolves once every event the request caused was handled through the adapter.
    await app.engine.idle();
    assert.ok(app.engine.deliveriesSettled() >= 1);
  } finally {
    await app.close();
  }
});
