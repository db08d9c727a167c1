/**
 * The retry schedule of the rocksdb adapter: entries `retry/<due ms>/<topic>/<group>/<id>` in due
 * order, a timer armed for the soonest one, and the entries handed to a group and not settled yet
 * ("claimed"), so that a poll never hands one out twice. An entry settled while a poll reads is not
 * handed out by that poll: its read may predate the settle's delete.
 *
 * @module
 */

import type { Clock } from "../memory/mod.ts";
import type { Db } from "./_db.ts";
import * as keys from "./_keys.ts";

/** Hands a due entry to its group; false when no live subscriber of that group can take it. */
export type Deliver = (key: string, topic: string, group: string, text: string) => boolean;

const POLL_LIMIT = 1000;

/** The schedule. */
export class RetrySchedule {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #deliver: Deliver;
  readonly #onError: (error: unknown) => void;
  readonly #claimed = new Set<string>();
  /** Entries released since the running poll began its read; none while no poll runs. */
  #releasedSincePoll: Set<string> | null = null;
  #timer: number | undefined;
  #due = Infinity;
  #polling: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(db: Db, clock: Clock, deliver: Deliver, onError: (error: unknown) => void) {
    this.#db = db;
    this.#clock = clock;
    this.#deliver = deliver;
    this.#onError = onError;
  }

  /** An entry due at `due` was written: make sure the timer fires by then. */
  arm(due: number): void {
    if (this.#stopped || due >= this.#due) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#due = due;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#due = Infinity;
      this.poll();
    }, Math.max(0, due - this.#clock.now()));
  }

  /** The entry was settled (its key deleted): it may be handed out again if it comes back. */
  release(key: string): void {
    this.#claimed.delete(key);
    this.#releasedSincePoll?.add(key);
  }

  /** Hands due entries to their live groups, then arms the timer for the next one. */
  poll(): void {
    if (this.#stopped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = this.#poll().catch(this.#onError).finally(() => {
      this.#polling = undefined;
      if (this.#again) {
        this.#again = false;
        this.poll();
      }
    });
  }

  /** Stops the timer and waits for a running poll. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    await this.#polling;
  }

  async #poll(): Promise<void> {
    const now = this.#clock.now();
    const until = `retry/${keys.pad(now + 1)}`;
    const released = this.#releasedSincePoll = new Set();
    let due: [string, string][];
    try {
      due = await this.#db.scan({ gte: "retry/", lt: until, limit: POLL_LIMIT });
    } finally {
      this.#releasedSincePoll = null;
    }
    for (const [key, text] of due) {
      if (this.#claimed.has(key) || released.has(key)) continue;
      const [, topic = "", group = ""] = keys.parts(key);
      if (this.#deliver(key, topic, group, text)) this.#claimed.add(key);
    }
    if (due.length === POLL_LIMIT) return this.arm(now);
    const [next] = await this.#db.scan({ gte: until, lt: "retry/" + keys.END, limit: 1 });
    if (next) this.arm(Number(keys.parts(next[0])[0]));
  }
}
