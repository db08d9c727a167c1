/**
 * One consumer group of one topic in the rocksdb adapter: its read position in the topic's log,
 * the deliveries to hand out again (never settled, or due retries), its consumers (competing within
 * the process, fed by the shared dispatcher). The adapter owns the storage; a group asks it through
 * {@linkcode GroupStore}.
 *
 * @module
 */

import type { EventEnvelope } from "../adapter.ts";
import { type Consumer, Dispatcher, Fifo, type OpenedItem, Returned } from "../_support/mod.ts";

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
  /** The delivery failed for good: its dead letter is stored as it settles. */
  settleDeadLetter(group: Group, item: Item, envelope: EventEnvelope, error: string): Promise<void>;
  /** A handler threw after it settled its delivery, or a read failed. */
  failed(error: unknown): void;
}

const READ_CHUNK = 512;
const BUFFER_LIMIT = 4096;

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
  /** Deliveries handed back unsettled, in the order they were taken in; they go first. */
  readonly #returned = new Returned<Item>();
  readonly #buffer = new Fifo<{ seq: number; text: string }>();
  readonly #dispatcher: Dispatcher<Item>;
  #readPosition: number;
  #reading = false;

  constructor(topic: string, name: string, cursor: number, store: GroupStore) {
    this.topic = topic;
    this.name = name;
    this.cursor = cursor;
    this.#readPosition = cursor;
    this.#store = store;
    this.#dispatcher = new Dispatcher<Item>({
      pending: () => true,
      take: () => this.#take(),
      open: (item) => this.#open(item),
      putBack: (item, taken) => this.#putBack(item, taken),
      // Read ahead while consumers are busy, so that they never wait for the log.
      afterDispatch: () => {
        if (this.#buffer.length < READ_CHUNK / 2 && this.hasConsumers) this.#readMore();
      },
      failed: (error) => this.#store.failed(error),
    });
  }

  /** The lowest log sequence number the group may still need. */
  get lowWater(): number {
    let low = this.cursor + 1;
    for (const seq of this.inFlight) low = Math.min(low, seq);
    return low;
  }

  /** A live subscriber consumes this group. */
  get hasConsumers(): boolean {
    return this.#dispatcher.hasConsumers;
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
    this.#dispatcher.add(consumer);
  }

  /** Stops feeding a consumer and waits for its in-flight deliveries. */
  remove(consumer: Consumer): Promise<void> {
    return this.#dispatcher.remove(consumer);
  }

  /** Runs the dispatch loop in a microtask, once however often it is asked. */
  schedule(): void {
    this.#dispatcher.schedule();
  }

  #take(): Item | undefined {
    return this.#returned.shift() ?? this.#again.shift() ?? this.#fromLog();
  }

  #fromLog(): Item | undefined {
    const entry = this.#buffer.shift();
    if (!entry) return undefined;
    this.cursor = entry.seq;
    this.inFlight.add(entry.seq);
    this.#store.dispatched(this, entry.seq);
    return { kind: "log", seq: entry.seq, text: entry.text };
  }

  /**
   * A delivery handed back unsettled (its subscriber closed before it ran) goes before everything
   * else, after those handed back that were taken before it: several in flight at once, handed back
   * in any order, keep the order they were handed out in.
   */
  #putBack(item: Item, taken: number): void {
    this.#returned.add(item, taken);
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

  #open(item: Item): OpenedItem {
    const envelope = JSON.parse(item.text) as EventEnvelope;
    return {
      envelope,
      mechanism: {
        ack: () => this.#store.ack(this, item),
        retry: (delayMs) => this.#store.retry(this, item, envelope, delayMs),
        deadLetter: (error) => this.#store.settleDeadLetter(this, item, envelope, error),
      },
    };
  }
}
