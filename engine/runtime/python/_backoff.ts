/**
 * How long the Python runtime waits before it starts a host again after a crash, so that a handler
 * (or a module) that kills the host on every call does not make it start a process per call.
 *
 * @module
 */

/** Settings of a {@linkcode RestartBackoff}, in ms. */
export interface BackoffTimes {
  /** Wait before the second restart in a row; it doubles for each further one. */
  firstDelayMs: number;
  /** Longest wait. */
  maxDelayMs: number;
  /** A host that lived at least this long ends the row: its crash restarts it at once. */
  stableMs: number;
}

/** Defaults: immediate, then 250 ms, 500 ms, 1 s, 2 s, 4 s, 8 s, 10 s, 10 s ... */
export const DEFAULT_BACKOFF: BackoffTimes = {
  firstDelayMs: 250,
  maxDelayMs: 10_000,
  stableMs: 10_000,
};

/** Counts the crashes in a row (hosts that died young) and says how long to wait before the next. */
export class RestartBackoff {
  #times: BackoffTimes;
  #startedAt = 0;
  #crashes = 0;

  /** Creates a schedule; no crash seen yet. */
  constructor(times: BackoffTimes) {
    this.#times = times;
  }

  /** Crashes in a row so far, the last one included. */
  get crashes(): number {
    return this.#crashes;
  }

  /** A host is up (`now` from `performance.now()`). */
  started(now: number): void {
    this.#startedAt = now;
  }

  /** The host died or was replaced at `now`; returns the wait before the next start, in ms. */
  crashed(now: number): number {
    const young = now - this.#startedAt < this.#times.stableMs;
    this.#crashes = young ? this.#crashes + 1 : 1;
    if (this.#crashes === 1) return 0;
    const { firstDelayMs, maxDelayMs } = this.#times;
    return Math.min(firstDelayMs * 2 ** (this.#crashes - 2), maxDelayMs);
  }

  /** Forgets the row (the code changed): the next crash restarts the host at once. */
  reset(): void {
    this.#crashes = 0;
  }
}
