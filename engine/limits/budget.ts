/**
 * `rate` and `throttle` across instances: a budget of `limit` runs per window of `period`
 * milliseconds (windows aligned to the epoch, so every instance agrees on them), kept per key as
 * the state entry `[...prefix, key, window]`, a count raised by an atomic commit that checks the
 * count read (a lost race reads again). The entry expires two periods after it was last written.
 * `rate` drops a run the window has no budget for; `throttle` waits for the next window.
 *
 * @module
 */

import type { Kv, KvKey } from "../../state/mod.ts";
import { LimitsClosedError, LimitsStateError } from "./errors.ts";
import { pause } from "./_key.ts";

/** The most keys whose spent window an instance remembers. */
const MAX_SPENT_KEYS = 10_000;

/** Options of {@linkcode WindowBudget}. */
export interface WindowBudgetOptions {
  /** The shared state. */
  kv: Kv;
  /** The entries' key prefix: one per handler and control. */
  prefix: KvKey;
  /** Runs per window, per key. */
  limit: number;
  /** The window's length in milliseconds. */
  periodMs: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** What a budget entry holds: runs started in its window. */
export type BudgetRecord = number;

/** One handler's rate or throttle budget. */
export class WindowBudget {
  readonly #options: WindowBudgetOptions;
  readonly #now: () => number;
  readonly #closing = new AbortController();
  readonly #queues = new Map<string, Promise<void>>();
  /** The last window seen spent, per key (one entry per key seen, overwritten each window). */
  readonly #spent = new Map<string, number>();

  /** Creates a budget; nothing is written until a run takes from it.
   *
   * @param options the store, prefix, limit and period
   */
  constructor(options: WindowBudgetOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Takes one run from the current window of the key.
   *
   * @param key the key value (`""` without `by`)
   * @returns null when taken, else when the next window starts (ms since the epoch)
   * @throws {LimitsStateError} when the shared state cannot be read or written
   */
  take(key: string): Promise<number | null> {
    // One take per key at a time in this instance: concurrent deliveries would otherwise race each
    // other's commits on one entry, and every lost race costs a read and a commit more.
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const taken = previous.then(() => this.#take(key));
    const settled = taken.then(() => {}, () => {});
    this.#queues.set(key, settled);
    settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return taken;
  }

  async #take(key: string): Promise<number | null> {
    const { kv, prefix, limit, periodMs } = this.#options;
    for (;;) {
      const window = Math.floor(this.#now() / periodMs);
      // A window this instance saw spent stays spent: no need to ask the store again.
      if (this.#spent.get(key) === window) return (window + 1) * periodMs;
      const entryKey = [...prefix, key, window];
      const entry = await this.#store("read a rate budget", () => kv.get<BudgetRecord>(entryKey));
      const used = entry.value ?? 0;
      if (used >= limit) {
        // A cache: with many keys, forget them all now and then rather than grow without end.
        if (this.#spent.size >= MAX_SPENT_KEYS) this.#spent.clear();
        this.#spent.set(key, window);
        return (window + 1) * periodMs;
      }
      const result = await this.#store(
        "take from a rate budget",
        () => kv.atomic().check(entry).set(entryKey, used + 1, { expireIn: 2 * periodMs }).commit(),
      );
      if (result.ok) return null;
    }
  }

  /**
   * Waits until the key's budget has a run for this one (the throttle's wait), taking it.
   *
   * @param key the key value
   * @param onWait called once when the run had to wait
   * @throws {LimitsClosedError} when the budget closes while the run waits
   */
  async wait(key: string, onWait?: () => void): Promise<void> {
    for (let round = 0;; round++) {
      if (this.#closing.signal.aborted) throw new LimitsClosedError("throttle");
      const next = await this.take(key);
      if (next === null) return;
      if (round === 0) onWait?.();
      // Spread the waiters of every instance over the first moments of the next window.
      const spread = Math.random() * Math.min(50, this.#options.periodMs / 10);
      await pause(Math.max(0, next - this.#now()) + spread, this.#closing.signal);
    }
  }

  /** The runs taken in the key's current window, and the window's end (for the workbench). */
  async usage(key: string): Promise<{ used: number; resetsAt: number }> {
    const { kv, prefix, periodMs } = this.#options;
    const window = Math.floor(this.#now() / periodMs);
    const entry = await kv.get<BudgetRecord>([...prefix, key, window]);
    return { used: entry.value ?? 0, resetsAt: (window + 1) * periodMs };
  }

  /** Wakes every waiting run, which fails with {@linkcode LimitsClosedError}. */
  close(): void {
    this.#closing.abort();
  }

  async #store<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new LimitsStateError(what, { cause: error });
    }
  }
}
