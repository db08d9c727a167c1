/**
 * One consumer group of one topic in the denokv adapter: the queue messages received for it and
 * not settled yet, its consumers (competing within the process) and its dispatch loop. A queue
 * message stays in flight in Deno KV until its item is settled, so a crash hands it out again.
 *
 * @module
 */

import type { DeliveryHandler, EventEnvelope } from "../adapter.ts";
import { createDelivery } from "../_support/mod.ts";
import { Fifo } from "./_fifo.ts";

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
  deadLetter(item: Item, envelope: EventEnvelope, error: string): Promise<void>;
  /** A handler threw after it settled its delivery. */
  failed(error: unknown): void;
}

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

/** A consumer group's live state in this process. */
export class Group {
  readonly topic: string;
  readonly name: string;
  readonly #store: GroupStore;
  readonly #waiting = new Fifo<Item>();
  readonly #consumers: Consumer[] = [];
  #next = 0;
  #scheduled = false;

  constructor(topic: string, name: string, store: GroupStore) {
    this.topic = topic;
    this.name = name;
    this.#store = store;
  }

  /** A live subscriber consumes this group. */
  get hasConsumers(): boolean {
    return this.#consumers.length > 0;
  }

  /** Queues a received message for the next free consumer. */
  push(item: Item): void {
    this.#waiting.push(item);
    this.schedule();
  }

  /** Takes every waiting item (on close, to hand them back to the queue). */
  drain(): Item[] {
    const items: Item[] = [];
    for (let item = this.#waiting.shift(); item; item = this.#waiting.shift()) items.push(item);
    return items;
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
    while (this.#waiting.length > 0) {
      const consumer = this.#pick();
      if (!consumer) return;
      this.#deliver(consumer, this.#waiting.shift() as Item);
    }
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
    const envelope = JSON.parse(item.message.text) as EventEnvelope;
    const tracked = createDelivery(envelope, {
      ack: () => Promise.resolve(item.done()),
      retry: (delayMs) => this.#store.retry(item, envelope, delayMs),
      deadLetter: (error) => this.#store.deadLetter(item, envelope, error),
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
    if (!settled()) this.#waiting.unshift(item);
  }
}
