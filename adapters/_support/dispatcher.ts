/**
 * The dispatch core the embedded adapters (memory, rocksdb, denokv) share: a consumer group's
 * subscribers in this process (competing, round-robin over those with a free slot), a dispatch
 * loop run once per microtask however often it is asked, and the settle-once delivery of each item.
 * A delivery the handler never settled (it threw first, or forgot) goes back to the front. Where the
 * items come from and how they are settled stays with each adapter, behind {@linkcode DispatchSource}.
 *
 * @module
 */

import type { DeliveryHandler, EventEnvelope, Subscription } from "../adapter.ts";
import { type DeliveryMechanism, runDelivery } from "./delivery.ts";

/** A subscriber in a group: its handler and how many deliveries it takes at once. */
export class Consumer {
  /** Called for each delivery. */
  readonly handler: DeliveryHandler;
  /** Deliveries handled at once. */
  readonly concurrency: number;
  /** Deliveries running now. */
  active = 0;
  /** Set by {@linkcode Dispatcher.remove}: no new deliveries. */
  closed = false;
  /** Who waits until no delivery runs (`remove`). */
  #idleWaiters: (() => void)[] = [];

  /** Creates a consumer.
   *
   * @param handler called for each delivery
   * @param concurrency deliveries handled at once (at least 1)
   */
  constructor(handler: DeliveryHandler, concurrency: number) {
    this.handler = handler;
    this.concurrency = concurrency;
  }

  /** Open and below its concurrency. */
  get hasCapacity(): boolean {
    return !this.closed && this.active < this.concurrency;
  }

  /** A delivery ended; the last one releases whoever waits for {@linkcode idle}. */
  ended(): void {
    if (--this.active === 0) { for (const resolve of this.#idleWaiters.splice(0)) resolve(); }
  }

  /** Resolves once no delivery runs (at once when none does). */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

/** An item opened for delivery: its envelope and how the broker settles it. */
export interface OpenedItem {
  readonly envelope: EventEnvelope;
  readonly mechanism: DeliveryMechanism;
}

/** Where a group's items come from and where unsettled ones go back to. */
export interface DispatchSource<I> {
  /** Whether an item may be waiting; checked before a consumer is picked. */
  pending(): boolean;
  /** Takes the next item, or `undefined` when none is ready. */
  take(): I | undefined;
  /** Decodes an item and says how to settle it. */
  open(item: I): OpenedItem;
  /**
   * An item that was never settled: hand it out again first. `taken` numbers the take that handed
   * it out (the dispatcher counts its takes), so that several handed back in any order can go out
   * again in the order they had (`Returned`).
   */
  putBack(item: I, taken: number): void;
  /** Runs after each dispatch loop (for example to read ahead). */
  afterDispatch?(): void;
  /** A handler threw after it settled its delivery; reported, never swallowed. */
  failed(error: unknown, envelope: EventEnvelope): void;
}

/** Feeds one group's items to its consumers. */
export class Dispatcher<I> {
  readonly #source: DispatchSource<I>;
  readonly #consumers: Consumer[] = [];
  #next = 0;
  #scheduled = false;
  /** Items taken so far: each delivery's take number. */
  #taken = 0;

  /** Creates a dispatcher over `source`. */
  constructor(source: DispatchSource<I>) {
    this.#source = source;
  }

  /** A live subscriber consumes this group. */
  get hasConsumers(): boolean {
    return this.#consumers.length > 0;
  }

  /** Adds a consumer and starts feeding it. */
  add(consumer: Consumer): void {
    this.#consumers.push(consumer);
    this.schedule();
  }

  /**
   * Stops feeding a consumer (at once, before the first await) and waits for its in-flight
   * deliveries.
   */
  async remove(consumer: Consumer): Promise<void> {
    consumer.closed = true;
    const index = this.#consumers.indexOf(consumer);
    if (index >= 0) this.#consumers.splice(index, 1);
    await consumer.idle();
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
    while (this.#source.pending()) {
      const consumer = this.#pick();
      if (!consumer) break;
      const item = this.#source.take();
      if (item === undefined) break;
      this.#deliver(consumer, item, this.#taken++);
    }
    this.#source.afterDispatch?.();
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

  #deliver(consumer: Consumer, item: I, taken: number): void {
    const opened = this.#source.open(item);
    consumer.active++;
    this.#run(consumer, { item, taken }, opened);
  }

  /** One delivery; one promise (no `finally` chain, no set of promises) per delivery. */
  async #run(
    consumer: Consumer,
    { item, taken }: { item: I; taken: number },
    { envelope, mechanism }: OpenedItem,
  ): Promise<void> {
    try {
      const onError = (error: unknown) => this.#source.failed(error, envelope);
      const settled = await runDelivery(consumer.handler, { envelope, mechanism, onError });
      // Never settled (the handler threw first, or forgot): it goes back to the front.
      if (!settled) this.#source.putBack(item, taken);
    } finally {
      consumer.ended();
      this.schedule();
    }
  }
}

/** What {@linkcode consumerSubscription} needs. */
export interface ConsumerSubscriptionOptions {
  /** The subscribed topic. */
  topic: string;
  /** The consumer group. */
  group: string;
  /** The adapter's live subscriptions; the new one is added now and removed when it closes. */
  live: Set<Subscription>;
}

/**
 * The subscription of a consumer already added to its group: closing it forgets it and removes
 * the consumer, waiting for its in-flight deliveries.
 *
 * @param target the group the consumer was added to
 * @param consumer the consumer
 * @param options topic, group and the adapter's live subscriptions
 * @returns the subscription, tracked in `options.live`
 */
export function consumerSubscription(
  target: { remove(consumer: Consumer): Promise<void> },
  consumer: Consumer,
  options: ConsumerSubscriptionOptions,
): Subscription {
  const { live } = options;
  const subscription: Subscription = {
    topic: options.topic,
    group: options.group,
    close: async () => {
      live.delete(subscription);
      await target.remove(consumer);
    },
  };
  live.add(subscription);
  return subscription;
}
