/**
 * The periodic clean-up of the rocksdb adapter: log entries every group is past, events of topics
 * nobody subscribed to beyond the kept number, and expired idempotency keys.
 *
 * @module
 */

import type { Clock } from "../memory/mod.ts";
import type { Db, Op } from "./_db.ts";
import type { Topic } from "./_group.ts";
import * as keys from "./_keys.ts";

/** Options of {@linkcode Cleanup}. */
export interface CleanupOptions {
  intervalMs: number;
  /** Events kept per topic no group subscribed to. */
  unhandledLimit: number;
  onError: (error: unknown) => void;
}

const EXPIRY_LIMIT = 1000;

/** Runs the clean-up on a timer until stopped. */
export class Cleanup {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #options: CleanupOptions;
  readonly #topics: () => Iterable<Topic>;
  #timer: number | undefined;
  #running: Promise<void> | undefined;
  #expiredBelow = 0;
  #stopped = false;

  constructor(db: Db, clock: Clock, topics: () => Iterable<Topic>, options: CleanupOptions) {
    this.#db = db;
    this.#clock = clock;
    this.#topics = topics;
    this.#options = options;
  }

  /** Arms the next run. */
  schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.run().catch(this.#options.onError).finally(() => {
        this.#running = undefined;
        this.schedule();
      });
    }, this.#options.intervalMs);
  }

  /** Stops the timer, waits for a running clean-up, then cleans up once more. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    await this.#running;
    await this.#db.idle();
    await this.#clean().catch(this.#options.onError);
  }

  /** Cleans up once. */
  run(): Promise<void> {
    return this.#stopped ? Promise.resolve() : this.#clean();
  }

  async #clean(): Promise<void> {
    for (const topic of this.#topics()) await this.#compactLog(topic);
    await this.#expireKeys();
  }

  async #compactLog(topic: Topic): Promise<void> {
    const low = topic.groups.size > 0
      ? Math.min(...[...topic.groups.values()].map((group) => group.lowWater))
      : topic.written - this.#options.unhandledLimit + 1;
    if (low <= topic.compactedBelow) return;
    // From where the last run stopped: iterating over its tombstones again would slow writes.
    await this.#db.clear({
      gte: keys.logKey(topic.name, topic.compactedBelow),
      lt: keys.logKey(topic.name, low),
    });
    topic.compactedBelow = low;
  }

  async #expireKeys(): Promise<void> {
    const now = this.#clock.now();
    const from = `idx/${keys.pad(this.#expiredBelow)}`;
    const expired = await this.#db.scan({
      gte: from,
      lt: `idx/${keys.pad(now + 1)}`,
      limit: EXPIRY_LIMIT,
    });
    const last = expired.at(-1);
    this.#expiredBelow = expired.length < EXPIRY_LIMIT || !last
      ? now + 1
      : Number(keys.parts(last[0])[0]);
    const ops: Op[] = [];
    for (const [key] of expired) {
      const [, topic = "", name = ""] = keys.parts(key);
      ops.push({ type: "del", key });
      // The key may have been claimed again since: only its latest expiry removes it.
      const stored = await this.#db.get(keys.idempotencyKey(topic, name));
      if (stored !== undefined && Number(stored) <= now) {
        ops.push({ type: "del", key: keys.idempotencyKey(topic, name) });
      }
    }
    await this.#db.write(ops, false);
  }
}
