/**
 * The `memory` adapter: the default broker, in the engine's own process, with no dependencies.
 *
 * Guarantees: **not durable** — a crash or a restart of the engine loses every message it held
 * (queued, waiting for a retry, or dead-lettered). Ordered per topic for one group at concurrency 1.
 * Idempotency keys are remembered for a window (default ten minutes) and duplicates dropped.
 * Delivery is at-least-once within the process: a message is removed only when its handler settles
 * it, and a delivery that was never settled goes back to the front of its group's queue.
 *
 * Each (topic, consumer group) pair has its own FIFO queue; publishing fans out to every group that
 * ever subscribed to the topic, and competing subscribers of one group share its queue. A group's
 * queue lives on while nobody consumes it. A queue is unbounded unless `bufferSize` is set; then
 * `publish` waits for room (backpressure) instead of dropping. A slow consumer only makes its own
 * queue longer; it never loses its subscription. Events published to a topic no group subscribed to
 * are kept in a bounded "unhandled" list for inspection, and so are events for a group whose queue
 * is full while nobody consumes it (a handler removed by a reload must not block publishers).
 *
 * @module
 */

import {
  type Adapter,
  type AdapterGuarantees,
  type DeadLetter,
  type DeliveryHandler,
  type EventEnvelope,
  PUBLISH_GROUP,
  type ReplayOptions,
  type SubscribeOptions,
  type Subscription,
} from "../adapter.ts";
import { AdapterClosedError, AdapterError } from "../errors.ts";
import { type Clock, systemClock } from "./clock.ts";
import { Consumer, consumerSubscription, deadLetterOf, withAttempt } from "../_support/mod.ts";
import { Group } from "./_group.ts";
import { KeyWindow } from "./_key_window.ts";
import { copyJson } from "../../internal/json/mod.ts";

/** Options of {@linkcode createMemoryAdapter}. */
export interface MemoryAdapterOptions {
  /** Messages a group's queue holds before `publish` waits for room. Default unbounded. */
  bufferSize?: number;
  /** How long an idempotency key is remembered, in milliseconds. Default 600000 (10 minutes). */
  idempotencyWindowMs?: number;
  /**
   * How many idempotency keys a topic remembers at most; past it the oldest is forgotten before its
   * window ends. Every event a definition triggers carries a key, so without a bound a topic at 50k
   * events/s would hold 30 million keys for the 10 minutes. Default 100000 (about 10 MiB a topic).
   */
  idempotencyMaxKeys?: number;
  /** How many events of topics nobody subscribed to are kept, oldest dropped first. Default 1000. */
  unhandledLimit?: number;
  /** Time and timers for retries, dead-letter times and the idempotency window. Default the real clock. */
  clock?: Clock;
  /** Called when a handler throws after settling its delivery. Default: ignored. */
  onHandlerError?: (error: unknown, envelope: EventEnvelope) => void;
}

/** The memory adapter, with what only it can show. */
export interface MemoryAdapter extends Adapter {
  /** Always `memory`. */
  readonly type: "memory";
  /** Events published to topics no group subscribed to, oldest first, optionally of one topic. */
  listUnhandled(topic?: string): Promise<EventEnvelope[]>;
  /**
   * Waits until every accepted event of a consumed group was handled for good (acknowledged or
   * dead-lettered, retries included), or `timeoutMs` passed. Works after `close()` too, so a
   * shutdown can count what was lost once everything stopped.
   *
   * @param timeoutMs how long to wait; 0 only counts
   * @returns how many accepted events are still held (queued, in flight or waiting for a retry)
   */
  drain(timeoutMs: number): Promise<number>;
  /** Publishes several envelopes at once (see {@linkcode Adapter.publishBatch}). */
  publishBatch(envelopes: readonly EventEnvelope[]): Promise<void>;
}

/**
 * Creates a memory adapter.
 *
 * @example Publish and consume
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createMemoryAdapter } from "./memory_adapter.ts";
 * const adapter = createMemoryAdapter();
 * await adapter.start();
 * const seen = Promise.withResolvers<unknown>();
 * await adapter.subscribe("Ping", "app.on_ping", async (delivery) => {
 *   seen.resolve(delivery.envelope.payload);
 *   await delivery.ack();
 * });
 * await adapter.publish({
 *   id: "1", topic: "Ping", payload: { n: 1 }, timestamp: new Date().toISOString(),
 *   metadata: { trace_id: "t", parent_id: null, source: "workbench", attempt: 1 },
 * });
 * assertEquals((await seen.promise as { n: number }).n, 1);
 * await adapter.close();
 * ```
 */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): MemoryAdapter {
  return new MemoryBroker(options);
}

const GUARANTEES: AdapterGuarantees = Object.freeze({
  durable: false,
  orderedPerTopic: true,
  deduplicates: true,
  // The dispatch loop hands a group's ready messages out one after another in one turn.
  handsOutInOrder: true,
});

class MemoryBroker implements MemoryAdapter {
  readonly type = "memory" as const;
  readonly guarantees: AdapterGuarantees = GUARANTEES;
  readonly #clock: Clock;
  readonly #bufferSize: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #unhandledLimit: number;
  readonly #onHandlerError: (error: unknown, envelope: EventEnvelope) => void;
  readonly #topics = new Map<string, Map<string, Group>>();
  readonly #unhandled: EventEnvelope[] = [];
  readonly #deadLetters: DeadLetter[] = [];
  /** The idempotency keys seen within the window, by topic. */
  readonly #keys = new Map<string, KeyWindow>();
  readonly #timers = new Set<number>();
  readonly #subscriptions = new Set<Subscription>();
  /** Retries waiting for their delay (kept after close: those events were not handled). */
  #waitingRetries = 0;
  #changeWaiters: (() => void)[] = [];
  #closed = false;

  constructor(options: MemoryAdapterOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#bufferSize = positive(options.bufferSize ?? Infinity, "bufferSize");
    this.#windowMs = options.idempotencyWindowMs ?? 600_000;
    this.#maxKeys = positive(options.idempotencyMaxKeys ?? 100_000, "idempotencyMaxKeys");
    this.#unhandledLimit = options.unhandledLimit ?? 1000;
    this.#onHandlerError = options.onHandlerError ?? (() => {});
  }

  start(): Promise<void> {
    return this.#closed
      ? Promise.reject(new AdapterClosedError(this.type, "start"))
      : Promise.resolve();
  }

  async publish(envelope: EventEnvelope): Promise<void> {
    const what = `publish to "${envelope.topic}"`;
    this.#assertOpen(what);
    if (this.#bufferSize !== Infinity) {
      for (const group of [...(this.#topics.get(envelope.topic)?.values() ?? [])]) {
        // Awaited only when full: an await per group and event costs a turn of the microtask queue.
        if (group.hasSpace(this.#bufferSize)) continue;
        await group.waitForSpace(this.#bufferSize);
        this.#assertOpen(what);
      }
    }
    this.#accept(envelope);
  }

  /**
   * Publishes several envelopes in their order, each as {@linkcode publish} would: it waits for room
   * in the groups they go to first (room for the whole batch, or an empty queue for a batch larger
   * than `bufferSize`), then enqueues them all in one turn. An edge's series of events goes through
   * here a part at a time (`EventBus.publishSeries`): one call instead of one `publish`, with its
   * promises, per event. A rejection (the adapter closed while it waited) means none was accepted.
   */
  async publishBatch(envelopes: readonly EventEnvelope[]): Promise<void> {
    const what = envelopes.length === 1
      ? `publish to "${envelopes[0]!.topic}"`
      : `publish ${envelopes.length} events`;
    this.#assertOpen(what);
    const full = this.#fullGroups(envelopes);
    if (full.length > 0) {
      for (const { group, limit } of full) await group.waitForSpace(limit);
      this.#assertOpen(what);
    }
    for (const envelope of envelopes) this.#accept(envelope);
  }

  /**
   * The groups without room for their share of a batch, each with the queue length it must fall
   * below: room for the share, or, for a share as large as `bufferSize`, an empty queue.
   */
  #fullGroups(envelopes: readonly EventEnvelope[]): { group: Group; limit: number }[] {
    const full: { group: Group; limit: number }[] = [];
    if (this.#bufferSize === Infinity) return full;
    const counts = new Map<string, number>();
    for (const { topic } of envelopes) counts.set(topic, (counts.get(topic) ?? 0) + 1);
    for (const [topic, count] of counts) {
      const limit = this.#bufferSize - Math.min(count, this.#bufferSize) + 1;
      for (const group of this.#topics.get(topic)?.values() ?? []) {
        if (!group.hasSpace(limit)) full.push({ group, limit });
      }
    }
    return full;
  }

  /**
   * Accepts one envelope once its groups had room: a duplicate is dropped, and every group of its
   * topic gets a copy (kept as unhandled when no group, or a full one nobody consumes, takes it).
   */
  #accept(envelope: EventEnvelope): void {
    if (this.#isDuplicate(envelope)) return;
    const groups = this.#topics.get(envelope.topic);
    if (groups === undefined || groups.size === 0) {
      return this.#keepUnhandled(copyJson(envelope));
    }
    for (const group of groups.values()) {
      if (group.hasConsumers || group.queue.length < this.#bufferSize) {
        group.enqueue(copyJson(envelope));
      } else this.#keepUnhandled(copyJson(envelope));
    }
  }

  subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return settled(() => this.#subscribe(topic, group, handler, options));
  }

  #subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions,
  ): Subscription {
    this.#assertOpen(`subscribe to "${topic}"`);
    const state = this.#group(topic, group);
    const consumer = new Consumer(handler, positive(options.concurrency ?? 1, "concurrency"));
    state.add(consumer);
    const target = options.transient ? this.#transient(topic, group, state) : state;
    return consumerSubscription(target, consumer, { topic, group, live: this.#subscriptions });
  }

  /** A transient group is forgotten, with its queue, once its last subscriber closed. */
  #transient(topic: string, name: string, state: Group): { remove(c: Consumer): Promise<void> } {
    return {
      remove: async (consumer) => {
        await state.remove(consumer);
        const groups = this.#topics.get(topic);
        if (state.hasConsumers || groups?.get(name) !== state) return;
        groups.delete(name);
        if (groups.size === 0) this.#topics.delete(topic);
      },
    };
  }

  listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    const letters = this.#deadLetters.filter((letter) => matches(letter.envelope, topic));
    return Promise.resolve(letters.reverse().map((letter) => structuredClone(letter)));
  }

  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    this.#assertOpen(`replay dead letters of "${topic}"`);
    const wanted = options.ids ? new Set(options.ids) : undefined;
    const replay = this.#deadLetters.filter((letter) =>
      letter.envelope.topic === topic && (!wanted || wanted.has(letter.envelope.id))
    );
    // Taken out first, all at once: a replay running meanwhile does not replay them again.
    for (const letter of replay) this.#deadLetters.splice(this.#deadLetters.indexOf(letter), 1);
    for (let i = 0; i < replay.length; i++) {
      const letter = replay[i]!;
      const envelope = withAttempt(letter.envelope, 1);
      if (letter.group !== PUBLISH_GROUP) {
        this.#group(topic, letter.group).enqueue(envelope);
        continue;
      }
      try {
        await this.publish(envelope);
      } catch (error) {
        // A publish that failed (the adapter closed while it waited for room) keeps what was not
        // replayed yet, this letter included: listed and replayable again, not lost.
        this.#deadLetters.push(...replay.slice(i));
        throw error;
      }
    }
    return replay.length;
  }

  deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    return settled(() => {
      this.#assertOpen(`dead-letter "${envelope.topic}"`);
      this.#storeDeadLetter(copyJson(envelope), group, error);
    });
  }

  listUnhandled(topic?: string): Promise<EventEnvelope[]> {
    const events = this.#unhandled.filter((envelope) => matches(envelope, topic));
    return Promise.resolve(events.map((envelope) => structuredClone(envelope)));
  }

  async drain(timeoutMs: number): Promise<number> {
    const deadline = this.#clock.now() + timeoutMs;
    while (!this.#idle()) {
      const left = deadline - this.#clock.now();
      if (left <= 0) break;
      let timer = 0;
      const changed = new Promise<void>((resolve) => this.#changeWaiters.push(resolve));
      const timedOut = new Promise<void>((resolve) =>
        timer = this.#clock.setTimeout(resolve, left)
      );
      await Promise.race([changed, timedOut]);
      this.#clock.clearTimeout(timer);
    }
    return this.#held();
  }

  #idle(): boolean {
    if (this.#waitingRetries > 0 && !this.#closed) return false;
    for (const groups of this.#topics.values()) {
      for (const group of groups.values()) if (!group.idle) return false;
    }
    return true;
  }

  #held(): number {
    let held = this.#waitingRetries;
    for (const groups of this.#topics.values()) {
      for (const group of groups.values()) held += group.held;
    }
    return held;
  }

  #changed(): void {
    for (const wake of this.#changeWaiters.splice(0)) wake();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const groups of this.#topics.values()) {
      for (const group of groups.values()) group.releaseWaiters();
    }
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    for (const timer of this.#timers) this.#clock.clearTimeout(timer);
    this.#timers.clear();
  }

  #group(topic: string, name: string): Group {
    let groups = this.#topics.get(topic);
    if (!groups) this.#topics.set(topic, groups = new Map());
    let group = groups.get(name);
    if (!group) groups.set(name, group = this.#newGroup(topic, name));
    return group;
  }

  #newGroup(topic: string, name: string): Group {
    return new Group(topic, name, {
      retry: (group, envelope, delayMs) => this.#scheduleRetry(group, envelope, delayMs),
      deadLetter: (group, envelope, error) => this.#storeDeadLetter(envelope, group.name, error),
      handlerError: (error, envelope) => this.#onHandlerError(error, envelope),
      changed: () => this.#changed(),
    });
  }

  #storeDeadLetter(envelope: EventEnvelope, group: string, error: string): void {
    this.#deadLetters.push(deadLetterOf(envelope, { group, error, at: this.#clock.now() }));
  }

  #scheduleRetry(group: Group, envelope: EventEnvelope, delayMs: number): void {
    this.#waitingRetries++;
    // Closed: nothing will deliver it again; it stays counted as held (lost).
    if (this.#closed) return;
    const next = withAttempt(envelope, envelope.metadata.attempt + 1);
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(timer);
      this.#waitingRetries--;
      group.enqueue(next);
    }, delayMs);
    this.#timers.add(timer);
  }

  #isDuplicate(envelope: EventEnvelope): boolean {
    const key = envelope.metadata.idempotency_key;
    if (key === undefined) return false;
    let window = this.#keys.get(envelope.topic);
    if (window === undefined) {
      this.#keys.set(envelope.topic, window = new KeyWindow(this.#windowMs, this.#maxKeys));
    }
    return window.seen(key, this.#clock.now());
  }

  #keepUnhandled(envelope: EventEnvelope): void {
    this.#unhandled.push(envelope);
    if (this.#unhandled.length > this.#unhandledLimit) this.#unhandled.shift();
  }

  #assertOpen(action: string): void {
    if (this.#closed) throw new AdapterClosedError(this.type, action);
  }
}

/** Runs `action`, turning a throw into a rejected promise. */
function settled<T>(action: () => T): Promise<T> {
  try {
    return Promise.resolve(action());
  } catch (error) {
    return Promise.reject(error);
  }
}

function matches(envelope: EventEnvelope, topic: string | undefined): boolean {
  return topic === undefined || envelope.topic === topic;
}

function positive(value: number, name: string): number {
  if (!(value >= 1)) {
    throw new AdapterError(
      `Invalid memory adapter option ${name}: "${value}" is not a positive number`,
    );
  }
  return value;
}
