/**
 * The `concurrency` control across instances: slot `i` of a key is the state entry
 * `[...prefix, key, i]` (`i` from 0 to limit - 1). A run lists the key's slots and takes a free one
 * by an atomic commit that checks the entry is absent, writes it with an expiry (the lease) that this instance renews while
 * the run lasts, and deletes it when the run settles. A killed instance renews nothing, so its
 * slots come back once their lease runs out. A run that finds every slot taken waits (its delivery
 * is neither acknowledged nor failed) and looks again: at once when a run of this instance frees a
 * slot, else after a growing pause (from 10 ms up to 250 ms, jittered), which is how it sees slots
 * freed by other instances.
 *
 * @module
 */

import type { Kv, KvKey } from "../../state/mod.ts";
import { LimitsClosedError, LimitsError, LimitsStateError } from "./errors.ts";
import { pause } from "./_key.ts";

/** How long a slot outlives its last renewal, by default. */
export const DEFAULT_LEASE_MS = 10_000;

const LEASE_LOST =
  "Cannot renew a concurrency slot: its lease ran out, so another run may hold it (the store was slower than a third of the lease)";

/** What a slot entry holds: who runs, since when (for the workbench and for debugging). */
export interface SlotRecord {
  /** The instance running. */
  instance: string;
  /** Milliseconds since the epoch the run took the slot. */
  since: number;
}

/** Options of {@linkcode SharedSlots}. */
export interface SharedSlotsOptions {
  /** The shared state (every instance of the app opens the same store). */
  kv: Kv;
  /** The entries' key prefix: one per handler. */
  prefix: KvKey;
  /** Runs at once per key, across instances. */
  limit: number;
  /** This instance, written into the slots it takes. */
  instanceId: string;
  /** Slot lifetime without renewal, in milliseconds (renewed every third of it). Default 10 s. */
  leaseMs?: number;
  /** Told when a lease could not be renewed (the store failed, or the slot expired meanwhile). */
  onRenewalError?: (error: Error) => void;
}

interface Held {
  key: KvKey;
  versionstamp: string;
  /** The last write of this slot (take or renewal): a release waits for it. */
  busy: Promise<void>;
}

/** Slots of one handler's `concurrency` control in the shared state. */
export class SharedSlots {
  readonly #options: SharedSlotsOptions;
  readonly #lease: number;
  readonly #held = new Set<Held>();
  readonly #closing = new AbortController();
  #freed = Promise.withResolvers<void>();
  #renewal: ReturnType<typeof setInterval> | null = null;

  /** Creates the slots of one control; nothing is written until a run takes a slot.
   *
   * @param options the store, the prefix, the limit and this instance
   */
  constructor(options: SharedSlotsOptions) {
    this.#options = options;
    this.#lease = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /**
   * Runs the task holding a slot of the key; waits until one is free.
   *
   * @param key the key value (`""` without `by`)
   * @param task the handler run
   * @param onWait called once when the run had to wait for a slot
   * @returns what the task returns
   * @throws {LimitsClosedError} when the slots close while the run waits
   * @throws {LimitsStateError} when the shared state cannot be read or written
   */
  async run<T>(key: string, task: () => Promise<T>, onWait?: () => void): Promise<T> {
    const held = await this.#acquire(key, onWait);
    try {
      return await task();
    } finally {
      await this.#release(held);
    }
  }

  /** Stops renewing and wakes every waiting run, which fails with {@linkcode LimitsClosedError}. */
  close(): void {
    this.#closing.abort();
    this.#stopRenewing();
    this.#freed.resolve();
  }

  async #acquire(key: string, onWait?: () => void): Promise<Held> {
    let backoff = 10;
    for (let round = 0;; round++) {
      if (this.#closing.signal.aborted) throw new LimitsClosedError("concurrency");
      const freed = this.#freed.promise;
      const held = await this.#tryTake(key);
      if (held !== null) return this.#keep(held);
      if (round === 0) onWait?.();
      const jittered = backoff / 2 + Math.random() * backoff / 2;
      await Promise.race([freed, pause(jittered, this.#closing.signal)]);
      backoff = Math.min(250, backoff * 2);
    }
  }

  /**
   * Lists the key's taken slots (one read however large the limit) and takes a free one, picked at
   * random so instances spread over the slots; a lost race lists again.
   */
  async #tryTake(key: string): Promise<Held | null> {
    const { kv, prefix, limit, instanceId } = this.#options;
    const keyPrefix = [...prefix, key];
    for (;;) {
      const taken = new Set<number>();
      await this.#store("read the concurrency slots", async () => {
        for await (const entry of kv.list({ prefix: keyPrefix })) {
          taken.add(entry.key[keyPrefix.length] as number);
        }
      });
      if (taken.size >= limit) return null;
      const free = Array.from({ length: limit }, (_, i) => i).filter((i) => !taken.has(i));
      const slot = [...keyPrefix, free[Math.floor(Math.random() * free.length)]!];
      const record: SlotRecord = { instance: instanceId, since: Date.now() };
      const result = await this.#store(
        "take a concurrency slot",
        () =>
          kv.atomic().check({ key: slot, versionstamp: null })
            .set(slot, record, { expireIn: this.#lease }).commit(),
      );
      if (result.ok) {
        return { key: slot, versionstamp: result.versionstamp, busy: Promise.resolve() };
      }
    }
  }

  #keep(held: Held): Held {
    this.#held.add(held);
    if (this.#renewal === null) {
      this.#renewal = setInterval(() => this.#renewAll(), this.#lease / 3);
    }
    return held;
  }

  async #release(held: Held): Promise<void> {
    this.#held.delete(held);
    if (this.#held.size === 0) this.#stopRenewing();
    await held.busy;
    const { kv } = this.#options;
    // Checked: a slot whose lease ran out may belong to another run by now.
    await this.#store(
      "free a concurrency slot",
      () =>
        kv.atomic().check({ key: held.key, versionstamp: held.versionstamp }).delete(held.key)
          .commit(),
    );
    const freed = this.#freed;
    this.#freed = Promise.withResolvers();
    freed.resolve();
  }

  #renewAll(): void {
    for (const held of this.#held) held.busy = held.busy.then(() => this.#renew(held));
  }

  async #renew(held: Held): Promise<void> {
    const { kv, instanceId, onRenewalError } = this.#options;
    try {
      const record: SlotRecord = { instance: instanceId, since: Date.now() };
      const result = await kv.atomic().check({ key: held.key, versionstamp: held.versionstamp })
        .set(held.key, record, { expireIn: this.#lease }).commit();
      if (result.ok) held.versionstamp = result.versionstamp;
      else onRenewalError?.(new LimitsError(LEASE_LOST));
    } catch (error) {
      onRenewalError?.(new LimitsStateError("renew a concurrency slot", { cause: error }));
    }
  }

  #stopRenewing(): void {
    if (this.#renewal !== null) clearInterval(this.#renewal);
    this.#renewal = null;
  }

  async #store<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new LimitsStateError(what, { cause: error });
    }
  }
}
