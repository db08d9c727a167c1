/**
 * The idempotency keys of the rocksdb adapter: a publish claims its key in the same write as its
 * log entry (`idem/<topic>/<key>` with its expiry, and `idx/<expiry>/<topic>/<key>` for the
 * clean-up, _keys.ts). Keys claimed by this process are remembered until they expire, so that most
 * claims need no read.
 *
 * @module
 */

import type { Clock } from "../memory/mod.ts";
import type { Db, Op } from "./_db.ts";
import * as keys from "./_keys.ts";

/** The keys claimed inside the idempotency window. */
export class IdempotencyKeys {
  readonly #windowMs: number;
  readonly #clock: Clock;
  /** Idempotency keys claimed by this process, with their expiry. */
  readonly #keys = new Map<string, number>();
  /** Keys being looked up in the database by a publish. */
  readonly #claiming = new Set<string>();

  /**
   * @param windowMs how long a key is remembered, in ms
   * @param clock the time of the window
   */
  constructor(windowMs: number, clock: Clock) {
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  /**
   * Reserves an idempotency key, adding its writes to `at.ops`; false when it is taken inside the
   * window.
   */
  async claim(db: Db, at: { topic: string; key: string; ops: Op[] }): Promise<boolean> {
    const { topic, key, ops } = at;
    const now = this.#clock.now();
    // Insertion order is expiry order (one window for every key): the oldest go first.
    for (const [known, expires] of this.#keys) {
      if (expires > now) break;
      this.#keys.delete(known);
    }
    const id = scoped(topic, key);
    if (this.#claiming.has(id) || (this.#keys.get(id) ?? 0) > now) return false;
    this.#claiming.add(id);
    let stored: string | undefined;
    try {
      stored = await db.get(keys.idempotencyKey(topic, key));
    } finally {
      this.#claiming.delete(id);
    }
    if (Number(stored ?? 0) > now) return false;
    const expires = now + this.#windowMs;
    this.#keys.delete(id);
    this.#keys.set(id, expires);
    ops.push({ type: "put", key: keys.idempotencyKey(topic, key), value: String(expires) });
    ops.push({ type: "put", key: keys.expiryKey(expires, topic, key), value: "" });
    return true;
  }

  /** Gives back a key whose publish failed to write. */
  release(topic: string, key: string): void {
    this.#keys.delete(scoped(topic, key));
  }
}

function scoped(topic: string, key: string): string {
  return `${topic}\u0000${key}`;
}
