/**
 * The `concurrency` flow control inside one engine instance: at most `limit` runs of a handler at
 * once per key value (one key for all events when the control has no `by`). A run over the limit
 * waits for a slot, first come first served; a finished run hands its slot straight to the next
 * waiter, so a burst cannot overtake a queue. It is the fast path in front of the limit across
 * instances (shared_slots.ts): a run asks the shared state only once it holds one
 * of this instance's slots.
 *
 * @module
 */

import type { ConcurrencyControl } from "../../parser/mod.ts";
import { keyOf, pathOf } from "./_key.ts";

/** How many deliveries a keyed handler takes from its consumer group at once, so runs of other
 * keys proceed while one key waits (never fewer than the limit). */
export const KEYED_PARALLELISM = 16;

interface Slots {
  running: number;
  waiting: (() => void)[];
}

/** Limits runs per key; an idle key keeps no entry. */
export class ConcurrencyGate {
  readonly #limit: number;
  readonly #path: readonly string[] | null;
  readonly #slots = new Map<string, Slots>();

  /** Creates the gate of one handler's control.
   *
   * @param control the schema's `concurrency` (limit and optional key path)
   */
  constructor(control: ConcurrencyControl) {
    this.#limit = control.limit;
    this.#path = pathOf(control);
  }

  /** Deliveries to take from the consumer group at once. */
  get parallelism(): number {
    return this.#path === null ? this.#limit : Math.max(this.#limit, KEYED_PARALLELISM);
  }

  /** Runs a task once a slot of the payload's key is free; the slot is freed when it settles.
   *
   * @param payload the event payload the key is read from
   * @param task the handler run
   * @param onWait called when the run has to wait for a slot
   * @returns what the task returns
   */
  async run<T>(payload: unknown, task: () => Promise<T>, onWait?: () => void): Promise<T> {
    const key = keyOf(payload, this.#path);
    await this.#acquire(key, onWait);
    try {
      return await task();
    } finally {
      this.#release(key);
    }
  }

  #acquire(key: string, onWait?: () => void): Promise<void> {
    let slots = this.#slots.get(key);
    if (slots === undefined) this.#slots.set(key, slots = { running: 0, waiting: [] });
    if (slots.running < this.#limit) {
      slots.running++;
      return Promise.resolve();
    }
    const queue = slots.waiting;
    onWait?.();
    return new Promise((resolve) => queue.push(resolve));
  }

  #release(key: string): void {
    const slots = this.#slots.get(key);
    if (slots === undefined) return;
    const next = slots.waiting.shift();
    if (next !== undefined) return next(); // The slot passes on: `running` stays the same.
    slots.running--;
    if (slots.running === 0) this.#slots.delete(key);
  }
}
