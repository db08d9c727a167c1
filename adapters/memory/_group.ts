/**
 * One consumer group of one topic in the memory adapter: its FIFO queue, its consumers (competing
 * within the process) and its dispatch loop.
 *
 * @module
 */

import type { Delivery, DeliveryHandler, EventEnvelope } from "../adapter.ts";
import { DeliverySettledError } from "../errors.ts";
import { Fifo } from "./_fifo.ts";

/** What a group needs from its adapter when a delivery settles. */
export interface GroupHooks {
  retry(group: Group, envelope: EventEnvelope, delayMs: number): void;
  deadLetter(group: Group, envelope: EventEnvelope, error: string): void;
  /** A handler threw after it settled its delivery; reported, never swallowed silently. */
  handlerError(error: unknown, envelope: EventEnvelope): void;
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

/** A consumer group's state. */
export class Group {
  readonly topic: string;
  readonly name: string;
  readonly queue = new Fifo<EventEnvelope>();
  readonly #consumers: Consumer[] = [];
  readonly #hooks: GroupHooks;
  #next = 0;
  #scheduled = false;
  #spaceWaiters: (() => void)[] = [];

  constructor(topic: string, name: string, hooks: GroupHooks) {
    this.topic = topic;
    this.name = name;
    this.#hooks = hooks;
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
    // Nobody left to make room: publishers must not wait on this group any longer.
    if (!this.hasConsumers) this.releaseWaiters();
    await Promise.all([...consumer.inFlight]);
  }

  /** Enqueues a message and wakes the dispatcher. */
  enqueue(envelope: EventEnvelope): void {
    this.queue.push(envelope);
    this.schedule();
  }

  /** A live subscriber consumes this group. */
  get hasConsumers(): boolean {
    return this.#consumers.length > 0;
  }

  /** Resolves once the queue holds fewer than `limit` messages, or nobody consumes the group. */
  async waitForSpace(limit: number): Promise<void> {
    while (this.queue.length >= limit && this.hasConsumers) {
      await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
    }
  }

  /** Wakes every publisher waiting for space (on close, so they can fail). */
  releaseWaiters(): void {
    for (const wake of this.#spaceWaiters.splice(0)) wake();
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
    while (this.queue.length > 0) {
      const consumer = this.#pickConsumer();
      if (!consumer) return;
      const envelope = this.queue.shift() as EventEnvelope;
      this.#spaceWaiters.shift()?.();
      this.#deliver(consumer, envelope);
    }
  }

  #pickConsumer(): Consumer | undefined {
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

  #deliver(consumer: Consumer, envelope: EventEnvelope): void {
    const settle = settleOnce(envelope.id);
    const delivery: Delivery = {
      envelope,
      ack: () => promised(() => settle("ack")),
      retry: (delayMs) =>
        promised(() => settle("retry") && this.#hooks.retry(this, envelope, delayMs)),
      deadLetter: (error) =>
        promised(() => settle("deadLetter") && this.#hooks.deadLetter(this, envelope, error)),
    };
    consumer.active++;
    const run = this.#run(consumer, delivery, settle).finally(() => {
      consumer.active--;
      consumer.inFlight.delete(run);
      this.schedule();
    });
    consumer.inFlight.add(run);
  }

  async #run(consumer: Consumer, delivery: Delivery, settle: Settle): Promise<void> {
    try {
      await consumer.handler(delivery);
    } catch (error) {
      if (settle.done()) this.#hooks.handlerError(error, delivery.envelope);
    }
    // Never settled (the handler threw first, or forgot): the message goes back to the front.
    if (!settle.done()) this.queue.unshift(delivery.envelope);
  }
}

interface Settle {
  (how: string): true;
  done(): boolean;
}

function settleOnce(id: string): Settle {
  let settled = false;
  const settle = (how: string): true => {
    if (settled) throw new DeliverySettledError(id, how);
    settled = true;
    return true;
  };
  return Object.assign(settle, { done: () => settled });
}

function promised(action: () => unknown): Promise<void> {
  try {
    action();
    return Promise.resolve();
  } catch (error) {
    return Promise.reject(error);
  }
}
