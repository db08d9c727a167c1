/**
 * Bookkeeping for subscriptions: the deliveries in flight (so `close()` can wait for them) and a
 * semaphore that caps them at the subscription's concurrency.
 *
 * @module
 */

/** The set of running tasks of a subscription. */
export class InFlight {
  readonly #tasks = new Set<Promise<unknown>>();

  /** How many tasks run. */
  get size(): number {
    return this.#tasks.size;
  }

  /** Tracks a task until it settles. */
  track<T>(task: Promise<T>): Promise<T> {
    const tracked = task.finally(() => this.#tasks.delete(tracked));
    this.#tasks.add(tracked);
    return tracked;
  }

  /** Resolves when every task tracked so far has settled (their errors are not rethrown). */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }
}

/** Counts free slots; `acquire` waits for one. */
export class Semaphore {
  #free: number;
  #waiters: (() => void)[] = [];

  /** Creates a semaphore with `slots` free slots. */
  constructor(slots: number) {
    this.#free = slots;
  }

  /** Waits for a free slot and takes it. */
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Gives a slot back, waking the next waiter. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}
