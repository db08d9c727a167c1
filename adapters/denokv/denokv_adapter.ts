/**
 * The `denokv` adapter: Deno KV queues, embedded locally (a SQLite file) and distributed on Deno
 * Deploy (README.md states its guarantees).
 *
 * Publishing enqueues one queue message per registered consumer group of the topic, in one atomic
 * operation that also claims the idempotency key; concurrent publishes share one atomic commit.
 * The adapter owns its KV handle and its one `listenQueue` listener, and routes each message to
 * its group by the topic and group inside it. A message stays in flight in Deno KV until its
 * delivery is settled: a crash hands it out again. Retries are enqueued with `delay`; dead letters,
 * registered groups, idempotency keys and messages for groups with no subscriber in this process
 * ("parked") are kept under keys.
 *
 * @module
 */

import type {
  Adapter,
  AdapterGuarantees,
  DeadLetter,
  DeliveryHandler,
  EventEnvelope,
  ReplayOptions,
  SubscribeOptions,
  Subscription,
} from "../adapter.ts";
import { whileLocked } from "../../internal/denokv/mod.ts";
import { AdapterClosedError, AdapterError } from "../errors.ts";
import { Consumer, consumerSubscription, withAttempt } from "../_support/mod.ts";
import { replayStored, storedDeadLetters, storeDeadLetter } from "./_dead_letters.ts";
import { Group, type GroupStore, type Item } from "./_group.ts";
import { dropParked, Publisher, ROOT, undeliveredKey } from "./_publisher.ts";
import { isQueueMessage, isWakeUp, openKv, park, requeue, unpark } from "./_queue.ts";

/** Options of {@linkcode createDenokvAdapter}. */
export interface DenokvAdapterOptions {
  /** The KV file; omit for the default database (on Deno Deploy, the project's KV). */
  path?: string;
  /** How long an idempotency key is remembered, in milliseconds. Default 600000 (10 minutes). */
  idempotencyWindowMs?: number;
  /**
   * The clock of the idempotency window, in milliseconds since the epoch; a test moves it past the
   * window instead of waiting. Default `Date.now`.
   */
  now?: () => number;
  /** How long events of topics no group subscribed to are kept, in ms. Default 86400000 (a day). */
  unhandledRetentionMs?: number;
  /**
   * How often a listening adapter wakes its queue, in milliseconds; 0 never. A local KV file's queue
   * only notices messages another process enqueued (`rohas dlq replay` beside a running engine) when
   * its own process enqueues something. Default 1000 with a `path`, 0 without (Deno Deploy's queue
   * is shared as it is).
   */
  wakeIntervalMs?: number;
  /** Receives errors that happen in the background (a handler throwing after it settled, a queue
   * message that could not be handled). Default: ignored. */
  onError?: (error: unknown) => void;
}

/** The denokv adapter, with what it can show beyond {@linkcode Adapter}. */
export interface DenokvAdapter extends Adapter {
  /** Always `denokv`. */
  readonly type: "denokv";
  /** Events published to topics no group subscribed to, oldest first, optionally of one topic. */
  listUnhandled(topic?: string): Promise<EventEnvelope[]>;
}

/**
 * Creates a denokv adapter; `start()` opens the database and starts listening to its queue.
 *
 * @example Publish and consume
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createDenokvAdapter } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const adapter = createDenokvAdapter({ path: `${dir}/events.kv` });
 * await adapter.start();
 * const seen = Promise.withResolvers<unknown>();
 * await adapter.subscribe("Ping", "app.on_ping", async (delivery) => {
 *   await delivery.ack();
 *   seen.resolve(delivery.envelope.payload);
 * });
 * await adapter.publish({
 *   id: "1", topic: "Ping", payload: { n: 1 }, timestamp: new Date().toISOString(),
 *   metadata: { trace_id: "t", parent_id: null, source: "workbench", attempt: 1 },
 * });
 * assertEquals((await seen.promise as { n: number }).n, 1);
 * await adapter.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function createDenokvAdapter(options: DenokvAdapterOptions = {}): DenokvAdapter {
  return new DenokvBroker(options);
}

const GUARANTEES: AdapterGuarantees = Object.freeze({
  durable: true,
  orderedPerTopic: false,
  deduplicates: true,
});

class DenokvBroker implements DenokvAdapter, GroupStore {
  readonly type = "denokv" as const;
  readonly guarantees: AdapterGuarantees = GUARANTEES;
  readonly #path: string | undefined;
  readonly #windowMs: number;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #groups = new Map<string, Group>();
  /** Transient groups whose last subscriber closed: their queued messages are dropped. */
  readonly #dropped = new Set<string>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #receiving = new Set<Promise<void>>();
  #publisher: Publisher | undefined;
  #kv: Deno.Kv | undefined;
  #listening: Promise<void> | undefined;
  #closed = false;
  #released = false;
  readonly #wakeMs: number;
  /** Tells this adapter's wake-up messages from those of an earlier run. */
  readonly #instance = crypto.randomUUID();

  constructor(options: DenokvAdapterOptions) {
    this.#path = options.path;
    this.#windowMs = options.idempotencyWindowMs ?? 600_000;
    this.#retentionMs = options.unhandledRetentionMs ?? 86_400_000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
    this.#wakeMs = options.wakeIntervalMs ?? (options.path === undefined ? 0 : 1000);
  }

  async start(): Promise<void> {
    this.#assertOpen("start");
    if (this.#kv) return;
    const kv = await openKv(this.#path);
    if (this.#closed) return kv.close();
    this.#kv = kv;
    this.#publisher = new Publisher(kv, {
      windowMs: this.#windowMs,
      retentionMs: this.#retentionMs,
      now: this.#now,
    });
  }

  publish(envelope: EventEnvelope): Promise<void> {
    try {
      this.#open(`publish to "${envelope.topic}"`);
    } catch (error) {
      return Promise.reject(error);
    }
    return (this.#publisher as Publisher).publish(envelope);
  }

  async subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const kv = this.#open(`subscribe to "${topic}"`);
    const concurrency = positive(options.concurrency ?? 1);
    await (this.#publisher as Publisher).register(topic, group);
    const id = groupId(topic, group);
    let live = this.#groups.get(id);
    if (!live) this.#groups.set(id, live = new Group(topic, group, this));
    const consumer = new Consumer(handler, concurrency);
    live.add(consumer);
    // Only an adapter with subscribers takes messages from the queue: one that only publishes or
    // lists dead letters (the `rohas dlq` command beside a running engine) must not take them.
    if (!this.#listening) {
      this.#listening = kv.listenQueue((value: unknown) => this.#receive(value));
      await this.#wake(kv);
    }
    await unpark(kv, { topic, group });
    const target = options.transient ? this.#transient(kv, live) : live;
    return consumerSubscription(target, consumer, { topic, group, live: this.#subscriptions });
  }

  /**
   * A transient group is unregistered once its last subscriber here closed, and what is parked or
   * still queued for it is dropped instead of parked.
   */
  #transient(kv: Deno.Kv, group: Group): { remove(c: Consumer): Promise<void> } {
    return {
      remove: async (consumer) => {
        await group.remove(consumer);
        const id = groupId(group.topic, group.name);
        if (group.hasConsumers || this.#groups.get(id) !== group) return;
        this.#groups.delete(id);
        this.#dropped.add(id);
        await (this.#publisher as Publisher).unregister(group.topic, group.name);
        await dropParked(kv, group.topic, group.name);
      },
    };
  }

  async listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    const kv = this.#open("list dead letters");
    return await storedDeadLetters(kv, topic);
  }

  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    const kv = this.#open(`replay dead letters of "${topic}"`);
    const publish = (envelope: EventEnvelope) => this.publish(envelope);
    return await replayStored(kv, { topic, options, publish });
  }

  async deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    const kv = this.#open(`dead-letter "${envelope.topic}"`);
    await storeDeadLetter(kv, { topic: envelope.topic, group, envelope, error });
  }

  async listUnhandled(topic?: string): Promise<EventEnvelope[]> {
    const kv = this.#open("list unhandled events");
    const prefix = topic === undefined ? [ROOT, "unhandled"] : [ROOT, "unhandled", topic];
    const events: EventEnvelope[] = [];
    for await (const entry of kv.list<string>({ prefix })) events.push(JSON.parse(entry.value));
    return events;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#publisher?.idle();
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    const kv = this.#kv;
    if (!kv) return;
    // Messages received and not handed out go back to the queue, for the next engine.
    for (const group of this.#groups.values()) {
      for (const item of group.drain()) await this.#giveBack(kv, item);
    }
    while (this.#receiving.size > 0) await Promise.allSettled([...this.#receiving]);
    this.#released = true;
    kv.close();
    await this.#listening;
  }

  // -------------------------------------------------------------------------------------------
  // GroupStore: settling a delivery

  async retry(item: Item, envelope: EventEnvelope, delayMs: number): Promise<void> {
    const kv = this.#kv as Deno.Kv;
    const next = withAttempt(envelope, envelope.metadata.attempt + 1);
    const message = { ...item.message, text: JSON.stringify(next) };
    await whileLocked(() =>
      kv.enqueue(message, {
        delay: Math.max(0, Math.round(delayMs)),
        keysIfUndelivered: [undeliveredKey(message, envelope.id)],
      })
    );
    item.done();
  }

  async settleDeadLetter(item: Item, envelope: EventEnvelope, error: string): Promise<void> {
    const { topic, group } = item.message;
    await storeDeadLetter(this.#kv as Deno.Kv, { topic, group, envelope, error });
    item.done();
  }

  failed(error: unknown): void {
    this.#onError(error);
  }

  // -------------------------------------------------------------------------------------------
  // The queue listener

  #receive(value: unknown): Promise<void> {
    const task = this.#route(value).catch((error) => {
      this.#onError(error);
      throw error;
    });
    const tracked = task.finally(() => this.#receiving.delete(tracked));
    this.#receiving.add(tracked);
    return tracked;
  }

  async #route(value: unknown): Promise<void> {
    if (isWakeUp(value)) {
      if (value.instance === this.#instance && !this.#closed) await this.#wake(this.#kv as Deno.Kv);
      return;
    }
    if (!isQueueMessage(value)) return;
    const kv = this.#kv as Deno.Kv;
    const group = this.#groups.get(groupId(value.topic, value.group));
    // Dequeued as the handle closed: left in flight, it is handed out again at the next open.
    if (this.#released) return new Promise<void>(() => {});
    if (this.#closed) return void await requeue(kv, value);
    if (this.#dropped.has(groupId(value.topic, value.group))) return;
    if (!group?.hasConsumers) return park(kv, value);
    const settled = Promise.withResolvers<void>();
    group.push({ message: value, done: () => settled.resolve() });
    await settled.promise;
  }

  async #giveBack(kv: Deno.Kv, item: Item): Promise<void> {
    try {
      await requeue(kv, item.message);
      item.done();
    } catch (error) {
      // Left in flight in Deno KV: it is handed out again when the database is next opened.
      this.#onError(error);
    }
  }

  /** Enqueues the next wake-up message (its delivery makes the queue look for foreign messages). */
  async #wake(kv: Deno.Kv): Promise<void> {
    if (this.#wakeMs <= 0) return;
    const wake = { rohas: "wake", instance: this.#instance };
    await whileLocked(() => kv.enqueue(wake, { delay: this.#wakeMs }));
  }

  #open(action: string): Deno.Kv {
    this.#assertOpen(action);
    if (!this.#kv) throw new AdapterError(`Adapter "denokv" is not started: cannot ${action}`);
    return this.#kv;
  }

  #assertOpen(action: string): void {
    if (this.#closed) throw new AdapterClosedError(this.type, action);
  }
}

function groupId(topic: string, group: string): string {
  return `${topic}\u0000${group}`;
}

function positive(value: number): number {
  if (!(value >= 1)) {
    throw new AdapterError(
      `Invalid denokv adapter option concurrency: "${value}" is not a positive number`,
    );
  }
  return value;
}
