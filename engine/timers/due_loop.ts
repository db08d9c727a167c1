/**
 * The due loop of a timer store: lists the due index in time order, claims each due timer by a
 * check-and-set on its record (one instance wins), fires it, and deletes it once fired. It sleeps
 * until the soonest due time it knows, woken early by a local schedule, and looks again at least
 * every `pollMs` for timers other instances scheduled (every `idlePollMs` once it has seen no timer
 * for a while).
 *
 * A claim is a lease: the record says who fires it until when. A claimer that dies (`kill -9`)
 * leaves the record claimed; once the lease ends, the next loop to look claims it again, so a
 * claimed timer is never lost (it may fire twice when a firing outlasts its lease). A firing that
 * throws is released to fire again after a backoff.
 *
 * @module
 */

import type { KvEntry } from "../../state/mod.ts";
import {
  type IndexValue,
  multiKeyAtomics,
  removeIndex,
  STALE_INDEX_MS,
  type Timer,
  type TimerKeys,
  timerKeys,
  timerOf,
  type TimerRecord,
  type TimerStore,
} from "./timer_store.ts";

/** Options of {@linkcode startDueLoop}. */
export interface DueLoopOptions {
  /** Fires a due timer; resolves when done (the timer is then deleted), throws to retry it. */
  onDue: (timer: Timer) => Promise<void>;
  /** Told of each failure (a firing that threw, a state read that failed); the loop goes on. */
  onError: (error: unknown, timer: Timer | null) => void;
  /** Longest sleep between two looks at the index, in ms. Default 50. */
  pollMs?: number;
  /**
   * Longest sleep between two looks once the index has been empty for `idleAfterMs`, in ms: an
   * idle loop looking 20 times a second cost the main process about 9 ms of CPU a second. A timer
   * scheduled through this store wakes the loop at once; one another instance scheduled (and left)
   * is then found within this. Default 1 000.
   */
  idlePollMs?: number;
  /** How long the index must stay empty (no local schedule either) before the loop idles. Default 5 000. */
  idleAfterMs?: number;
  /** How long a claim holds before another instance may claim the timer again, in ms. Default 30 000. */
  leaseMs?: number;
  /** Delay before a failed firing is retried, doubled per attempt up to a minute, in ms. Default 1 000. */
  retryMs?: number;
}

/** A running due loop. */
export interface DueLoop {
  /** Stops looking and waits for the firings under way. */
  stop(): Promise<void>;
}

/** Due timers taken per look before the loop looks again. */
const BATCH = 256;
/** Claims in flight at once during a look. */
const CLAIMS = 16;
const MAX_RETRY_MS = 60_000;

/**
 * Starts the due loop of a store.
 *
 * @param store the timer store
 * @param options what to do with a due timer and with failures; timings
 * @returns the loop, to stop when the app stops
 * @example
 * ```ts
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { openTimerStore, startDueLoop } from "./mod.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const timers = openTimerStore(kv, { name: "reminders", instanceId: "a" });
 * const fired = Promise.withResolvers<unknown>();
 * const loop = startDueLoop(timers, {
 *   onDue: (timer) => Promise.resolve(fired.resolve(timer.value)),
 *   onError: (error) => fired.reject(error),
 * });
 * await timers.schedule("hello", Date.now() + 10, "world");
 * if ((await fired.promise) !== "world") throw new Error("Example failed");
 * await loop.stop();
 * await kv.close();
 * ```
 */
export function startDueLoop(store: TimerStore, options: DueLoopOptions): DueLoop {
  const loop = new Loop(store, options);
  const done = loop.run();
  return {
    async stop() {
      loop.stop();
      await done;
    },
  };
}

/** Shuffles in place (Fisher-Yates). */
function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

class Loop {
  #store: TimerStore;
  #keys: TimerKeys;
  #options: Required<DueLoopOptions>;
  #stopped = false;
  #firing = new Set<Promise<void>>();
  #sleep: { at: number; timer: ReturnType<typeof setTimeout>; wake: () => void } | null = null;
  #unlisten: () => void;
  #early = Infinity;
  /** When the index last held a timer or this process scheduled one. */
  #busyAt: number;

  constructor(store: TimerStore, options: DueLoopOptions) {
    this.#store = store;
    this.#keys = timerKeys(store.name);
    this.#options = {
      pollMs: 50,
      idlePollMs: 1_000,
      idleAfterMs: 5_000,
      leaseMs: 30_000,
      retryMs: 1_000,
      ...options,
    };
    this.#busyAt = store.now();
    this.#unlisten = store.onScheduled((dueAt) => this.#wakeBy(dueAt));
  }

  async run(): Promise<void> {
    while (!this.#stopped) {
      let next: number;
      try {
        next = await this.#look();
      } catch (error) {
        this.#options.onError(error, null);
        next = this.#store.now() + this.#options.pollMs;
      }
      await this.#sleepUntil(next);
    }
    this.#unlisten();
    await Promise.all(this.#firing);
  }

  stop(): void {
    this.#stopped = true;
    this.#sleep?.wake();
  }

  /** Claims and fires what is due; returns when to look again. */
  async #look(): Promise<number> {
    const now = this.#store.now();
    let next = now + this.#pollMs(now);
    const due: [KvEntry<IndexValue>, number][] = [];
    for await (const entry of this.#store.kv.list<IndexValue>({ prefix: this.#keys.due })) {
      this.#busyAt = now;
      const dueAt = entry.key[this.#keys.due.length] as number;
      if (dueAt > now || this.#stopped) {
        next = Math.min(next, dueAt);
        break;
      }
      due.push([entry, dueAt]);
      if (due.length >= BATCH) {
        next = now;
        break;
      }
    }
    // Claims of different timers are independent: CLAIMS at once, not one round trip after another,
    // in an order of this loop's own, so the loops of several instances rarely race for one timer.
    shuffle(due);
    let at = 0;
    const worker = async () => {
      while (at < due.length) {
        const [entry, dueAt] = due[at++]!;
        const outcome = await this.#consider(entry, dueAt, now);
        if (typeof outcome === "number") next = Math.min(next, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CLAIMS, due.length) }, worker));
    return next;
  }

  /** One due index entry: claimed (and fired), skipped, or a time to look at it again. */
  async #consider(
    entry: KvEntry<IndexValue>,
    dueAt: number,
    now: number,
  ): Promise<"claimed" | "skipped" | number> {
    const kv = this.#store.kv;
    const id = String(entry.key[this.#keys.due.length + 1]);
    const record = await kv.get<TimerRecord>(this.#keys.record(id));
    if (
      record.value === null || record.value.token !== entry.value.token ||
      record.value.dueAt !== dueAt
    ) {
      if (now - entry.value.at > STALE_INDEX_MS) {
        await removeIndex(kv, entry.key, entry.value.token);
      }
      return "skipped";
    }
    const claim = record.value.claim;
    if (claim !== null && claim.until > now) return claim.until;
    const claimedRecord: TimerRecord = {
      ...record.value,
      attempt: record.value.attempt + 1,
      claim: { by: this.#store.instanceId, until: now + this.#options.leaseMs },
    };
    const result = await kv.atomic().check(record).set(record.key, claimedRecord).commit();
    if (!result.ok) return "skipped";
    this.#track(
      this.#fire(id, { ...record, value: claimedRecord, versionstamp: result.versionstamp }),
    );
    return "claimed";
  }

  #track(firing: Promise<void>): void {
    this.#firing.add(firing);
    firing.finally(() => this.#firing.delete(firing));
  }

  async #fire(id: string, claimed: KvEntry<TimerRecord>): Promise<void> {
    const timer = timerOf(id, claimed.value, this.#store.now());
    try {
      await this.#options.onDue(timer);
    } catch (error) {
      this.#options.onError(error, timer);
      await this.#guard(timer, () => this.#release(id, claimed));
      return;
    }
    await this.#guard(timer, () => this.#finish(id, claimed));
  }

  async #guard(timer: Timer, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      // The lease ends on its own: another look claims the timer again.
      this.#options.onError(error, timer);
    }
  }

  /** Deletes a fired timer, unless it was rescheduled or claimed again meanwhile. */
  async #finish(id: string, claimed: KvEntry<TimerRecord>): Promise<void> {
    const kv = this.#store.kv;
    const index = this.#keys.index(claimed.value.dueAt, id);
    const op = kv.atomic().check(claimed).delete(claimed.key);
    // The record unchanged means the index entry is still this timer's: one commit for both.
    if (multiKeyAtomics(kv)) op.delete(index);
    const result = await op.commit();
    if (!result.ok || multiKeyAtomics(kv)) return;
    await removeIndex(kv, index, claimed.value.token);
  }

  /** Puts a timer whose firing failed back, due after a backoff. */
  async #release(id: string, claimed: KvEntry<TimerRecord>): Promise<void> {
    const kv = this.#store.kv;
    const backoff = this.#options.retryMs * 2 ** Math.min(claimed.value.attempt - 1, 16);
    const dueAt = this.#store.now() + Math.min(backoff, MAX_RETRY_MS);
    const token = crypto.randomUUID();
    const index = this.#keys.index(dueAt, id);
    const indexValue: IndexValue = { token, at: this.#store.now() };
    const record: TimerRecord = { ...claimed.value, dueAt, token, claim: null };
    if (multiKeyAtomics(kv)) {
      const op = kv.atomic().check(claimed).set(index, indexValue).set(claimed.key, record);
      if (claimed.value.dueAt !== dueAt) op.delete(this.#keys.index(claimed.value.dueAt, id));
      if ((await op.commit()).ok) this.#wakeBy(dueAt);
      return;
    }
    await kv.set(index, indexValue);
    const result = await kv.atomic().check(claimed).set(claimed.key, record).commit();
    if (!result.ok) return await removeIndex(kv, index, token);
    await removeIndex(kv, this.#keys.index(claimed.value.dueAt, id), claimed.value.token);
    this.#wakeBy(dueAt);
  }

  /** The poll interval: short while timers come and go, long once the index stayed empty. */
  #pollMs(now: number): number {
    const idle = now - this.#busyAt >= this.#options.idleAfterMs;
    return idle ? Math.max(this.#options.pollMs, this.#options.idlePollMs) : this.#options.pollMs;
  }

  #wakeBy(dueAt: number): void {
    this.#busyAt = this.#store.now();
    // While looking, remember the time: the look may have passed the key already.
    if (this.#sleep === null) this.#early = Math.min(this.#early, dueAt);
    else if (dueAt < this.#sleep.at) this.#sleep.wake();
  }

  #sleepUntil(at: number): Promise<void> {
    at = Math.min(at, this.#early);
    this.#early = Infinity;
    if (this.#stopped) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    const wake = () => {
      clearTimeout(sleep.timer);
      this.#sleep = null;
      resolve();
    };
    const sleep = { at, timer: setTimeout(wake, Math.max(0, at - this.#store.now())), wake };
    this.#sleep = sleep;
    return promise;
  }
}
