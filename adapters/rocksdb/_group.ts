/**
 * One consumer group of one topic in the rocksdb adapter: its read position in the topic's log,
 * the deliveries to hand out again (never settled, or due retries), its consumers (competing within
 * the process) and its dispatch loop. The adapter owns the storage; a group asks it through
 * {@linkcode GroupStore}.
 *
 * @module
 */

import type { DeliveryHandler, EventEnvelope } from "../adapter.ts";
import { createDelivery } from "../_support/mod.ts";
import { Fifo } from "./_fifo.ts";

/** A message to deliver: from the log (by sequence number) or from the retry schedule (by key). */
export type Item =
  | { kind: "log"; seq: number; text: string }
  | { kind: "retry"; key: string; text: string };

/** A topic's log and the groups that consume it. */
export interface Topic {
  readonly name: string;
  /** The last sequence number handed out to a publish (its write may still be running). */
  head: number;
  /** The last sequence number whose write landed; every write below it landed or failed. */
  written: number;
  /** Log entries below this were removed. */
  compactedBelow: number;
  readonly groups: Map<string, Group>;
}

/** What a group needs from its adapter. */
export interface GroupStore {
  /** Marks a log entry dispatched: the group's offset moves to it and it is in flight. */
  dispatched(group: Group, seq: number): void;
  /** Reads log entries after `after`, at most `limit`. */
  read(topic: string, after: number, limit: number): Promise<{ seq: number; text: string }[]>;
  /** The last sequence number of the topic whose write landed. */
  head(topic: string): number;
  ack(group: Group, item: Item): Promise<void>;
  retry(group: Group, item: Item, envelope: EventEnvelope, delayMs: number): Promise<void>;
  deadLetter(group: Group, item: Item, envelope: EventEnvelope, error: string): Promise<void>;
  /** A handler threw after it settled its delivery, or a read failed. */
  failed(error: unknown): void;
}

const READ_CHUNK = 512;
const BUFFER_LIMIT = 4096;

/** A subscriber in a group. */
export class Consumer {
  readonly handler: DeliveryHandler;
  readonly concurrency: number;
  active = 0;
  closed = false;
  readonly inFlight = new Set<Promise<void>>();

  constructor(handler: DeliveryHandler, concurrency: number) {
    this.handler = handler;
    this.concurrency = concurrency;
  }

  get hasCapacity(): boolean {
    return !this.closed && this.active < this.concurrency;
  }
}

/** A consumer group's live state. */
export class Group {
  readonly topic: string;
  readonly name: string;
  /** The last log sequence number dispatched (the stored offset). */
  cursor: number;
  /** Log sequence numbers dispatched and not settled. */
  readonly inFlight = new Set<number>();
  readonly #store: GroupStore;
  readonly #again = new Fifo<Item>();
  readonly #buffer = new Fifo<{ seq: number; text: string }>();
  readonly #consumers: Consumer[] = [];
  #readPosition: number;
  #reading = false;
  #next = 0;
  #scheduled = false;

  constructor(topic: string, name: string, cursor: number, store: GroupStore) {
    this.topic = topic;
    this.name = name;
    this.cursor = cursor;
    this.#readPosition = cursor;
    this.#store = store;
  }

  /** The lowest log sequence number the group may still need. */
  get lowWater(): number {
    let low = this.cursor + 1;
    for (const seq of this.inFlight) low = Math.min(low, seq);
    return low;
  }

  /** A live subscriber consumes this group. */
  get hasConsumers(): boolean {
    return this.#consumers.length > 0;
  }

  /** Queues a delivery to hand out before the log (a retry, or one found in flight at start-up). */
  redeliver(item: Item): void {
    if (item.kind === "log") this.inFlight.add(item.seq);
    this.#again.push(item);
    this.schedule();
  }

  /** A new log entry was written: take it from memory when the group is caught up. */
  offer(seq: number, text: string): void {
    if (!this.hasConsumers) return;
    if (!this.#reading && this.#readPosition === seq - 1 && this.#buffer.length < BUFFER_LIMIT) {
      this.#buffer.push({ seq, text });
      this.#readPosition = seq;
    }
    this.schedule();
  }

  /** Adds a consumer and starts feeding it. */
  add(consumer: Consumer): void {
    this.#consumers.push(consumer);
    this.schedule();
  }

  /** Stops feeding a consumer and waits for its in-flight deliveries. */
  async remove(consumer: Consumer): Promise<void> {
    consumer.closed = true;
    const index = this.#consumers.indexOf(consumer);
    if (index >= 0) this.#consumers.splice(index, 1);
    await Promise.all([...consumer.inFlight]);
  }

  /** Runs the dispatch loop in a microtask, once however often it is asked. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (let consumer = this.#pick(); consumer; consumer = this.#pick()) {
      const item = this.#take();
      if (!item) return this.#readMore();
      this.#deliver(consumer, item);
    }
    // Read ahead while consumers are busy, so that they never wait for the log.
    if (this.#buffer.length < READ_CHUNK / 2 && this.hasConsumers) this.#readMore();
  }

  #take(): Item | undefined {
    const again = this.#again.shift();
    if (again) return again;
    const entry = this.#buffer.shift();
    if (!entry) return undefined;
    this.cursor = entry.seq;
    this.inFlight.add(entry.seq);
    this.#store.dispatched(this, entry.seq);
    return { kind: "log", seq: entry.seq, text: entry.text };
  }

  #readMore(): void {
    const head = this.#store.head(this.topic);
    if (this.#reading || this.#readPosition >= head) return;
    this.#reading = true;
    this.#store.read(this.topic, this.#readPosition, READ_CHUNK).then((entries) => {
      for (const entry of entries) this.#buffer.push(entry);
      const last = entries.at(-1);
      this.#readPosition = last ? last.seq : Math.max(this.#readPosition, head);
      this.#reading = false;
      this.schedule();
    }, (error) => {
      // Reported; tried again on the next publish or settle, not in a tight loop.
      this.#reading = false;
      this.#store.failed(error);
    });
  }

  #pick(): Consumer | undefined {
    const count = this.#consumers.length;
    for (let i = 0; i < count; i++) {
      const consumer = this.#consumers[(this.#next + i) % count] as Consumer;
      if (consumer.hasCapacity) {
        this.#next = (this.#next + i + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  #deliver(consumer: Consumer, item: Item): void {
    const envelope = JSON.parse(item.text) as EventEnvelope;
    const tracked = createDelivery(envelope, {
      ack: () => this.#store.ack(this, item),
      retry: (delayMs) => this.#store.retry(this, item, envelope, delayMs),
      deadLetter: (error) => this.#store.deadLetter(this, item, envelope, error),
    });
    consumer.active++;
    const run = this.#run(consumer, tracked.delivery, tracked.settled, item).finally(() => {
      consumer.active--;
      consumer.inFlight.delete(run);
      this.schedule();
    });
    consumer.inFlight.add(run);
  }

  async #run(
    consumer: Consumer,
    delivery: Parameters<DeliveryHandler>[0],
    settled: () => boolean,
    item: Item,
  ): Promise<void> {
    try {
      await consumer.handler(delivery);
    } catch (error) {
      if (settled()) this.#store.failed(error);
    }
    // Never settled (the handler threw first, or forgot): it goes back to the front.
    if (!settled()) {
      this.#again.unshift(item);
    }
  }
}
