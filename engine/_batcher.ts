/**
 * The `batch` flow control: deliveries of one handler's consumer group are gathered into a batch of
 * at most `size`, handed to the handler together when the batch is full or `wait_ms` after its
 * first delivery arrived, whichever comes first. Each delivery stays unsettled (not acknowledged to
 * the broker) while it waits and while its batch runs: it settles with the batch's outcome, so a
 * failed batch fails every delivery in it, and the event bus retries or dead-letters each one as an
 * event of its own (a retried event joins a later batch). Nothing is lost when an instance dies
 * mid-batch: its deliveries were never acknowledged, so the broker hands them out again.
 *
 * One batch runs at a time per batcher (the subscription takes `size` deliveries at once), so a
 * batch of the next events forms while none is running only when the handler is idle: batches keep
 * their events in delivery order.
 *
 * @module
 */

import type { BatchControl } from "../parser/mod.ts";

/** Runs one batch; rejecting fails every item of it. */
export type BatchRun<T> = (items: T[]) => Promise<void>;

/** What a batcher reports as it fills and runs, for metrics and the workbench. */
export interface BatchObserver {
  /** Items now waiting in the forming batch (after each change). */
  waiting?(count: number): void;
  /** A batch started with `size` items, `waitedMs` after its first item arrived. */
  started?(size: number, waitedMs: number): void;
}

interface Pending<T> {
  item: T;
  done: PromiseWithResolvers<void>;
}

/**
 * Gathers items into batches of at most `size`, run at most `wait_ms` after the first item.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { Batcher } from "./_batcher.ts";
 * const runs: number[][] = [];
 * const batcher = new Batcher<number>({ size: 2, wait_ms: 50 }, async (items) => {
 *   runs.push(items);
 * });
 * await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
 * assertEquals(runs, [[1, 2], [3]]);
 * ```
 */
export class Batcher<T> {
  readonly #size: number;
  readonly #waitMs: number;
  readonly #run: BatchRun<T>;
  readonly #observer: BatchObserver;
  #forming: Pending<T>[] = [];
  #firstAt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** Creates the batcher of one handler's `batch` control.
   *
   * @param control the schema's `batch` (size and longest wait)
   * @param run calls the handler with a batch
   * @param observer told how many items wait and when a batch starts
   */
  constructor(control: BatchControl, run: BatchRun<T>, observer: BatchObserver = {}) {
    this.#size = control.size;
    this.#waitMs = control.wait_ms;
    this.#run = run;
    this.#observer = observer;
  }

  /** Deliveries to take from the consumer group at once: one full batch. */
  get parallelism(): number {
    return this.#size;
  }

  /** Items waiting in the batch that is forming. */
  get waiting(): number {
    return this.#forming.length;
  }

  /** Adds an item to the forming batch.
   *
   * @param item the delivery
   * @returns settles with the outcome of the batch the item runs in
   */
  add(item: T): Promise<void> {
    const done = Promise.withResolvers<void>();
    this.#forming.push({ item, done });
    if (this.#forming.length === 1) {
      this.#firstAt = performance.now();
      this.#timer = setTimeout(() => this.flush(), this.#waitMs);
    }
    if (this.#forming.length >= this.#size) this.flush();
    else this.#observer.waiting?.(this.#forming.length);
    return done.promise;
  }

  /** Runs the forming batch now (when full, when its time is up, or when the subscription
   * closes, so a close does not wait out the batch's time). */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#forming;
    if (batch.length === 0) return;
    this.#forming = [];
    this.#observer.waiting?.(0);
    this.#observer.started?.(batch.length, performance.now() - this.#firstAt);
    void this.#settle(batch);
  }

  async #settle(batch: Pending<T>[]): Promise<void> {
    try {
      await this.#run(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.done.reject(error);
      return;
    }
    for (const p of batch) p.done.resolve();
  }
}
