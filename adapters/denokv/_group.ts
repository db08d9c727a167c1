/**
 * One consumer group of one topic in the denokv adapter: the queue messages received for it and
 * not settled yet and the shared dispatcher feeding its consumers (competing within the process). A queue
 * message stays in flight in Deno KV until its item is settled, so a crash hands it out again.
 *
 * @module
 */

import type { EventEnvelope } from "../adapter.ts";
import { type Consumer, Dispatcher, Fifo, type OpenedItem } from "../_support/mod.ts";

/** A queue message of the adapter: one envelope for one group. */
export interface QueueMessage {
  readonly rohas: "event";
  readonly topic: string;
  readonly group: string;
  /** The envelope as JSON, so that it arrives exactly as published. */
  readonly text: string;
}

/** A received message waiting to be settled; `done` lets the queue handler return. */
export interface Item {
  readonly message: QueueMessage;
  readonly done: () => void;
}

/** What a group needs from its adapter to settle a delivery. */
export interface GroupStore {
  retry(item: Item, envelope: EventEnvelope, delayMs: number): Promise<void>;
  /** The delivery failed for good: its dead letter is stored as it settles. */
  settleDeadLetter(item: Item, envelope: EventEnvelope, error: string): Promise<void>;
  /** A handler threw after it settled its delivery. */
  failed(error: unknown): void;
}

/** A consumer group's live state in this process. */
export class Group {
  readonly topic: string;
  readonly name: string;
  readonly #store: GroupStore;
  readonly #waiting = new Fifo<Item>();
  readonly #dispatcher: Dispatcher<Item>;

  constructor(topic: string, name: string, store: GroupStore) {
    this.topic = topic;
    this.name = name;
    this.#store = store;
    this.#dispatcher = new Dispatcher<Item>({
      pending: () => this.#waiting.length > 0,
      take: () => this.#waiting.shift(),
      open: (item) => this.#open(item),
      putBack: (item) => this.#waiting.unshift(item),
      failed: (error) => this.#store.failed(error),
    });
  }

  /** A live subscriber consumes this group. */
  get hasConsumers(): boolean {
    return this.#dispatcher.hasConsumers;
  }

  /** Queues a received message for the next free consumer. */
  push(item: Item): void {
    this.#waiting.push(item);
    this.#dispatcher.schedule();
  }

  /** Takes every waiting item (on close, to hand them back to the queue). */
  drain(): Item[] {
    const items: Item[] = [];
    for (let item = this.#waiting.shift(); item; item = this.#waiting.shift()) items.push(item);
    return items;
  }

  /** Adds a consumer and starts feeding it. */
  add(consumer: Consumer): void {
    this.#dispatcher.add(consumer);
  }

  /** Stops feeding a consumer and waits for its in-flight deliveries. */
  remove(consumer: Consumer): Promise<void> {
    return this.#dispatcher.remove(consumer);
  }

  #open(item: Item): OpenedItem {
    const envelope = JSON.parse(item.message.text) as EventEnvelope;
    return {
      envelope,
      mechanism: {
        ack: () => Promise.resolve(item.done()),
        retry: (delayMs) => this.#store.retry(item, envelope, delayMs),
        deadLetter: (error) => this.#store.settleDeadLetter(item, envelope, error),
      },
    };
  }
}
