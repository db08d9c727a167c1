/**
 * The `rocksdb` adapter: embedded, durable, single node (README.md states its guarantees).
 *
 * Each topic is an append-only log in RocksDB; each consumer group keeps its offset and the set of
 * sequence numbers dispatched but not settled, so a restart (or a kill -9) hands out again exactly
 * what was never acknowledged. Retries wait in a schedule ordered by due time, dead letters sit
 * under their topic and group, idempotency keys under their topic with an expiry. A publish resolves
 * once its write is synced to disk; concurrent publishes share one synced write, and a batch (a
 * handler's series of events) is one synced write of its own.
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
import { AdapterClosedError, AdapterError } from "../errors.ts";
import { type Clock, systemClock } from "../memory/mod.ts";
import { Consumer, consumerSubscription, withAttempt } from "../_support/mod.ts";
import { Db, type Op } from "./_db.ts";
import { Cleanup } from "./_cleanup.ts";
import { deadLetterOp, replayOps, storedDeadLetters } from "./_dead_letters.ts";
import { Group, type GroupStore, type Item, type Topic } from "./_group.ts";
import { IdempotencyKeys } from "./_idempotency.ts";
import { RetrySchedule } from "./_retry_schedule.ts";
import { seqOf, Topics } from "./_topics.ts";
import { dropGroupOps } from "./_transient.ts";
import * as keys from "./_keys.ts";

/** Options of {@linkcode createRocksdbAdapter}. */
export interface RocksdbAdapterOptions {
  /** The database directory (absolute, or relative to the working directory). */
  path: string;
  /** How long an idempotency key is remembered, in milliseconds. Default 600000 (10 minutes). */
  idempotencyWindowMs?: number;
  /** Events kept per topic that no group subscribed to, for `listUnhandled`. Default 1000. */
  unhandledLimit?: number;
  /** How often acknowledged log entries and expired keys are removed, in ms. Default 1000. */
  compactIntervalMs?: number;
  /** Time and timers for retries, dead-letter times and the idempotency window. Default real. */
  clock?: Clock;
  /** Receives errors that happen in the background (a handler throwing after it settled, a failed
   * clean-up). Default: ignored. */
  onError?: (error: unknown) => void;
}

/** The rocksdb adapter, with what it can show beyond {@linkcode Adapter}. */
export interface RocksdbAdapter extends Adapter {
  /** Always `rocksdb`. */
  readonly type: "rocksdb";
  /** Events published to topics no group subscribed to, oldest first, optionally of one topic. */
  listUnhandled(topic?: string): Promise<EventEnvelope[]>;
  /** Publishes several envelopes in one synced write (see {@linkcode Adapter.publishBatch}). */
  publishBatch(envelopes: readonly EventEnvelope[]): Promise<void>;
}

/**
 * Creates a rocksdb adapter; `start()` opens the database.
 *
 * @example Publish and consume
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createRocksdbAdapter } from "./mod.ts";
 * const path = await Deno.makeTempDir();
 * const adapter = createRocksdbAdapter({ path });
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
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export function createRocksdbAdapter(options: RocksdbAdapterOptions): RocksdbAdapter {
  return new RocksdbBroker(options);
}

const GUARANTEES: AdapterGuarantees = Object.freeze({
  durable: true,
  orderedPerTopic: true,
  deduplicates: true,
  // A group hands out what it holds in log order in one dispatch loop (the memory adapter's
  // dispatcher): the engine may send an ordered handler several deliveries at once.
  handsOutInOrder: true,
});

class RocksdbBroker implements RocksdbAdapter, GroupStore {
  readonly type = "rocksdb" as const;
  readonly guarantees: AdapterGuarantees = GUARANTEES;
  readonly #path: string;
  readonly #unhandledLimit: number;
  readonly #compactIntervalMs: number;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #topics = new Topics();
  readonly #keys: IdempotencyKeys;
  readonly #subscriptions = new Set<Subscription>();
  #db: Db | undefined;
  #closed = false;
  #retries: RetrySchedule | undefined;
  #cleanup: Cleanup | undefined;

  constructor(options: RocksdbAdapterOptions) {
    this.#path = options.path;
    this.#unhandledLimit = options.unhandledLimit ?? 1000;
    this.#compactIntervalMs = options.compactIntervalMs ?? 1000;
    this.#clock = options.clock ?? systemClock;
    this.#keys = new IdempotencyKeys(options.idempotencyWindowMs ?? 600_000, this.#clock);
    this.#onError = options.onError ?? (() => {});
  }

  async start(): Promise<void> {
    this.#assertOpen("start");
    if (this.#db) return;
    const db = await Db.open(this.#path);
    this.#db = db;
    if (this.#closed) return void await db.close();
    await this.#topics.load(db, this);
    this.#retries = new RetrySchedule(
      db,
      this.#clock,
      (...entry) => this.#redeliver(...entry),
      this.#onError,
    );
    this.#retries.poll();
    this.#cleanup = new Cleanup(db, this.#clock, () => this.#topics.values(), {
      intervalMs: this.#compactIntervalMs,
      unhandledLimit: this.#unhandledLimit,
      onError: this.#onError,
    });
    this.#cleanup.schedule();
  }

  publish(envelope: EventEnvelope): Promise<void> {
    return this.publishBatch([envelope]);
  }

  /**
   * One synced write for the whole batch: its idempotency keys are claimed together, then each
   * envelope takes the next sequence number of its topic in the batch's order, with no wait between
   * them, so a batch's events of one topic are consecutive in its log.
   */
  async publishBatch(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const what = envelopes.length === 1
      ? `publish to "${envelopes[0]!.topic}"`
      : `publish ${envelopes.length} events`;
    const db = this.#open(what);
    const topics = await Promise.all(envelopes.map((e) => this.#topics.get(db, e.topic)));
    const ops: Op[] = [];
    const claimed = await Promise.all(envelopes.map((e) => this.#claim(db, e, ops)));
    this.#assertOpen(what);
    const written: Written[] = [];
    for (let i = 0; i < envelopes.length; i++) {
      if (!claimed[i]) continue;
      const envelope = envelopes[i]!;
      const topic = topics[i]!;
      const seq = ++topic.head;
      const text = JSON.stringify(envelope);
      ops.push({ type: "put", key: keys.logKey(envelope.topic, seq), value: text });
      written.push({ topic, seq, text });
    }
    try {
      await db.write(ops, true);
    } catch (error) {
      for (let i = 0; i < envelopes.length; i++) if (claimed[i]) this.#release(envelopes[i]!);
      throw error;
    }
    for (const { topic, seq, text } of written) {
      topic.written = Math.max(topic.written, seq);
      for (const group of topic.groups.values()) group.offer(seq, text);
    }
  }

  /** Claims an envelope's idempotency key, its writes added to `ops`; true without a key. */
  #claim(db: Db, envelope: EventEnvelope, ops: Op[]): Promise<boolean> | true {
    const key = envelope.metadata.idempotency_key;
    if (key === undefined) return true;
    return this.#keys.claim(db, { topic: envelope.topic, key, ops });
  }

  #release(envelope: EventEnvelope): void {
    const key = envelope.metadata.idempotency_key;
    if (key !== undefined) this.#keys.release(envelope.topic, key);
  }

  async subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const db = this.#open(`subscribe to "${topic}"`);
    const concurrency = positive(options.concurrency ?? 1, "concurrency");
    const state = await this.#topics.get(db, topic);
    let live = state.groups.get(group);
    if (!live) {
      live = new Group(topic, group, state.written, this);
      state.groups.set(group, live);
      await db.write(
        [{ type: "put", key: keys.groupKey(topic, group), value: offset(live) }],
        true,
      );
    }
    const consumer = new Consumer(handler, concurrency);
    live.add(consumer);
    this.#retries?.poll();
    const target = options.transient ? this.#transient(db, state, live) : live;
    return consumerSubscription(target, consumer, { topic, group, live: this.#subscriptions });
  }

  /** A transient group leaves the store once its last subscriber closed (rocksdb/_transient.ts). */
  #transient(db: Db, state: Topic, group: Group): { remove(c: Consumer): Promise<void> } {
    return {
      remove: async (consumer) => {
        await group.remove(consumer);
        if (group.hasConsumers || state.groups.get(group.name) !== group) return;
        state.groups.delete(group.name);
        await db.write(await dropGroupOps(db, group.topic, group.name), true);
      },
    };
  }

  async listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    const db = this.#open("list dead letters");
    return await storedDeadLetters(db, topic);
  }

  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    const db = this.#open(`replay dead letters of "${topic}"`);
    const publish = (envelope: EventEnvelope) => this.publish(envelope);
    const { ops, replayed } = await replayOps(db, {
      topic,
      options,
      now: this.#clock.now(),
      publish,
    });
    await db.write(ops, true);
    this.#retries?.poll();
    return replayed;
  }

  async deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    const db = this.#open(`dead-letter "${envelope.topic}"`);
    await db.write([this.#deadLetterOp(envelope, group, error)], true);
  }

  async listUnhandled(topic?: string): Promise<EventEnvelope[]> {
    const db = this.#open("list unhandled events");
    return await this.#topics.unhandled(db, { topic, limit: this.#unhandledLimit });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#retries?.stop();
    await this.#cleanup?.stop();
    await this.#db?.close();
  }

  // -------------------------------------------------------------------------------------------
  // GroupStore: what a group asks of the storage

  dispatched(group: Group, seq: number): void {
    this.#db?.write([
      { type: "put", key: keys.flightKey(group.topic, group.name, seq), value: "" },
      { type: "put", key: keys.groupKey(group.topic, group.name), value: offset(group) },
    ], false).catch((error) => this.#onError(error));
  }

  async read(
    topic: string,
    after: number,
    limit: number,
  ): Promise<{ seq: number; text: string }[]> {
    const db = this.#db;
    if (!db) return [];
    const entries = await db.scan({
      gte: keys.logKey(topic, after + 1),
      lt: keys.logPrefix(topic) + keys.END,
      limit,
    });
    return entries.map(([key, text]) => ({ seq: seqOf(key), text }));
  }

  head(topic: string): number {
    return this.#topics.loaded(topic)?.written ?? 0;
  }

  ack(group: Group, item: Item): Promise<void> {
    // Not awaited: losing an ack (a crash before its write lands) only redelivers, and the next
    // delivery need not wait for the write. Writes land in order, so it lands before any later
    // write of this group.
    this.#settle(group, item, []).catch(this.#onError);
    return Promise.resolve();
  }

  async retry(group: Group, item: Item, envelope: EventEnvelope, delayMs: number): Promise<void> {
    const due = this.#clock.now() + delayMs;
    const next = withAttempt(envelope, envelope.metadata.attempt + 1);
    await this.#settle(group, item, [{
      type: "put",
      key: keys.retryKey(due, group.topic, group.name, envelope.id),
      value: JSON.stringify(next),
    }]);
    this.#retries?.arm(due);
  }

  async settleDeadLetter(
    group: Group,
    item: Item,
    envelope: EventEnvelope,
    error: string,
  ): Promise<void> {
    await this.#settle(group, item, [this.#deadLetterOp(envelope, group.name, error)]);
  }

  failed(error: unknown): void {
    this.#onError(error);
  }

  // -------------------------------------------------------------------------------------------
  // Storage

  #deadLetterOp(envelope: EventEnvelope, group: string, error: string): Op {
    return deadLetterOp(envelope, { group, error, at: this.#clock.now() });
  }

  async #settle(group: Group, item: Item, ops: Op[]): Promise<void> {
    // In-flight deliveries settle while the adapter closes: close() waits for them.
    const db = this.#db as Db;
    const key = item.kind === "log" ? keys.flightKey(group.topic, group.name, item.seq) : item.key;
    await db.write([{ type: "del", key }, ...ops], false);
    if (item.kind === "log") group.inFlight.delete(item.seq);
    else this.#retries?.release(item.key);
  }

  /** Hands a due retry to its group, if a subscriber of it lives in this process. */
  #redeliver(key: string, topic: string, group: string, text: string): boolean {
    const live = this.#topics.loaded(topic)?.groups.get(group);
    if (!live?.hasConsumers) return false;
    live.redeliver({ kind: "retry", key, text });
    return true;
  }

  #open(action: string): Db {
    this.#assertOpen(action);
    if (!this.#db) throw new AdapterError(`Adapter "rocksdb" is not started: cannot ${action}`);
    return this.#db;
  }

  #assertOpen(action: string): void {
    if (this.#closed) throw new AdapterClosedError(this.type, action);
  }
}

/** An envelope written to its topic's log by a publish: offered to the topic's groups once synced. */
interface Written {
  topic: Topic;
  seq: number;
  text: string;
}

function offset(group: Group): string {
  return JSON.stringify({ offset: group.cursor });
}

function positive(value: number, name: string): number {
  if (!(value >= 1)) {
    throw new AdapterError(
      `Invalid rocksdb adapter option ${name}: "${value}" is not a positive number`,
    );
  }
  return value;
}
