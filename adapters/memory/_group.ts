/**
 * One consumer group of one topic in the memory adapter: its FIFO queue, its waiting publishers
 * (backpressure) and the shared dispatcher feeding its consumers.
 *
 * @module
 */

import type { EventEnvelope } from "../adapter.ts";
import {
  type Consumer,
  type DeliveryMechanism,
  Dispatcher,
  Fifo,
  type OpenedItem,
  Returned,
} from "../_support/mod.ts";

/** What a group needs from its adapter when a delivery settles. */
export interface GroupHooks {
  retry(group: Group, envelope: EventEnvelope, delayMs: number): void;
  deadLetter(group: Group, envelope: EventEnvelope, error: string): void;
  /** A handler threw after it settled its delivery; reported, never swallowed silently. */
  handlerError(error: unknown, envelope: EventEnvelope): void;
  /** What the group holds changed (a message arrived, was taken, settled or put back). */
  changed(): void;
}

/** A consumer group's state. */
export class Group {
  readonly topic: string;
  readonly name: string;
  readonly queue = new Fifo<EventEnvelope>();
  readonly #hooks: GroupHooks;
  readonly #dispatcher: Dispatcher<EventEnvelope>;
  #spaceWaiters: (() => void)[] = [];
  /** Messages taken for delivery and not settled yet. */
  #inFlight = 0;
  /** Messages handed back unsettled, in the order they were taken: delivered before the queue. */
  readonly #returned = new Returned<EventEnvelope>();

  constructor(topic: string, name: string, hooks: GroupHooks) {
    this.topic = topic;
    this.name = name;
    this.#hooks = hooks;
    this.#dispatcher = new Dispatcher<EventEnvelope>({
      pending: () => this.queue.length > 0 || this.#returned.length > 0,
      take: () => this.#take(),
      open: (envelope) => this.#open(envelope),
      putBack: (envelope, taken) => this.#putBack(envelope, taken),
      failed: (error, envelope) => this.#hooks.handlerError(error, envelope),
    });
  }

  /** Adds a consumer and starts feeding it. */
  add(consumer: Consumer): void {
    this.#dispatcher.add(consumer);
  }

  /** Stops feeding a consumer and waits for its in-flight deliveries. */
  async remove(consumer: Consumer): Promise<void> {
    const removed = this.#dispatcher.remove(consumer);
    // Nobody left to make room: publishers must not wait on this group any longer.
    if (!this.hasConsumers) this.releaseWaiters();
    await removed;
  }

  /** Enqueues a message and wakes the dispatcher. */
  enqueue(envelope: EventEnvelope): void {
    this.queue.push(envelope);
    this.#dispatcher.schedule();
    this.#hooks.changed();
  }

  /** Messages queued or in flight: accepted, and not handled for good yet. */
  get held(): number {
    return this.queue.length + this.#returned.length + this.#inFlight;
  }

  /**
   * Nothing left to do here: no delivery in flight, and an empty queue unless nobody consumes it
   * (a group without consumers never drains, so it is not waited for).
   */
  get idle(): boolean {
    const queued = this.queue.length + this.#returned.length;
    return this.#inFlight === 0 && (queued === 0 || !this.hasConsumers);
  }

  /** A live subscriber consumes this group. */
  get hasConsumers(): boolean {
    return this.#dispatcher.hasConsumers;
  }

  /** Whether a publish may enqueue now without waiting (see {@linkcode waitForSpace}). */
  hasSpace(limit: number): boolean {
    return this.queue.length < limit || !this.hasConsumers;
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

  #take(): EventEnvelope | undefined {
    const envelope = this.#returned.shift() ?? this.queue.shift();
    if (envelope !== undefined) this.#inFlight++;
    this.#spaceWaiters.shift()?.();
    return envelope;
  }

  /**
   * A message handed back unsettled goes before the queue, after those handed back that were taken
   * before it: several in flight at once handed back in any order keep the order they had.
   */
  #putBack(envelope: EventEnvelope, taken: number): void {
    this.#inFlight--;
    this.#returned.add(envelope, taken);
    this.#hooks.changed();
  }

  #open(envelope: EventEnvelope): OpenedItem {
    return new GroupItem(this, envelope);
  }

  /**
   * A delivery settled: the message leaves the group (a retry hands it to the adapter's timer,
   * after `detail` ms; a dead letter keeps `detail` as its error).
   */
  settle(envelope: EventEnvelope, how: "ack" | "retry" | "deadLetter", detail: unknown): void {
    this.#inFlight--;
    if (how === "retry") this.#hooks.retry(this, envelope, detail as number);
    else if (how === "deadLetter") this.#hooks.deadLetter(this, envelope, detail as string);
    this.#hooks.changed();
  }
}

/**
 * A message opened for delivery and how it settles: one object, which is its own mechanism (every
 * event makes one; closures would be four).
 */
class GroupItem implements OpenedItem, DeliveryMechanism {
  readonly envelope: EventEnvelope;
  readonly #group: Group;

  constructor(group: Group, envelope: EventEnvelope) {
    this.#group = group;
    this.envelope = envelope;
  }

  get mechanism(): DeliveryMechanism {
    return this;
  }

  ack(): Promise<void> {
    return this.#settle("ack", undefined);
  }

  retry(delayMs: number): Promise<void> {
    return this.#settle("retry", delayMs);
  }

  deadLetter(error: string): Promise<void> {
    return this.#settle("deadLetter", error);
  }

  #settle(how: "ack" | "retry" | "deadLetter", detail: unknown): Promise<void> {
    this.#group.settle(this.envelope, how, detail);
    return Promise.resolve();
  }
}
