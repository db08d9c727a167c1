/**
 * The clock the memory adapter (and the event bus) schedule with, injectable so that tests control
 * time instead of waiting for it.
 *
 * @module
 */

/** A source of time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs`; returns an id for {@linkcode Clock.clearTimeout}. */
  setTimeout(callback: () => void, delayMs: number): number;
  /** Cancels a timer; unknown ids are ignored. */
  clearTimeout(id: number): void;
}

/** The real clock: `Date.now` and the global timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  // Deno's timers return numbers; the cast only quiets the Node typings npm packages bring in.
  setTimeout: (callback: () => void, delayMs: number) =>
    setTimeout(callback, delayMs) as unknown as number,
  clearTimeout: (id: number) => clearTimeout(id),
});

interface Timer {
  at: number;
  callback: () => void;
}

/**
 * A clock that only moves when told to, for tests: timers fire during {@linkcode ManualClock.advance}
 * in due order.
 *
 * @example Firing a timer
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(0);
 * let fired = false;
 * clock.setTimeout(() => fired = true, 100);
 * clock.advance(99);
 * assert(!fired);
 * clock.advance(1);
 * assert(fired);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers = new Map<number, Timer>();

  /** Creates a clock reading `startMs` (default 0). */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  /** The current reading. */
  now(): number {
    return this.#now;
  }

  /** Registers a timer due `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayMs), callback });
    return id;
  }

  /** Cancels a timer. */
  clearTimeout(id: number): void {
    this.#timers.delete(id);
  }

  /** Delays (from now) of the pending timers, soonest first. */
  pendingDelays(): number[] {
    return [...this.#timers.values()].map((timer) => timer.at - this.#now).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in due order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let next = this.#nextDue(target); next; next = this.#nextDue(target)) {
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
    }
    this.#now = target;
  }

  #nextDue(target: number): [number, Timer] | undefined {
    let best: [number, Timer] | undefined;
    for (const entry of this.#timers) {
      if (entry[1].at <= target && (!best || entry[1].at < best[1].at)) best = entry;
    }
    return best;
  }
}
