/**
 * The `debounce` flow control, across every instance of the app: one run per burst of events with
 * the same key (a burst ends after `period` without an event, or `max` after its first event).
 * Each handler and key value has one burst entry in the shared state (`state.kv`,
 * `["_rohas", "debounce", <group>, <key>]`), changed only by check-and-set, so instances taking
 * events of one key at once agree:
 *
 * - `trailing`: the entry holds the newest event of the burst by publish time (an older event, a
 *   late redelivery, is dropped), when the burst began and when its last event came. The event
 *   that opens a burst also schedules the key's timer in the durable timer store
 *   (`engine/timers/`) before writing the entry; later events only rewrite the entry (one read and
 *   one write each). A delivery is acknowledged once the entry is written, so the broker forgets it
 *   only when the shared state holds it. When the timer is due, one instance claims it: if the
 *   burst went on meanwhile, it moves the timer to the burst's new end; else it runs the handler
 *   with the newest event, then closes the burst (unless a newer event came during the run, which
 *   then gets its own run). A run that fails is retried by the timer store with a backoff, up to
 *   `[adapter] max_attempts`, then dead-lettered for the handler's group (engine/_held_failure.ts;
 *   when that cannot be stored now, the timer fires again later: one more run, then another try).
 *   A closed burst remembers the publish time of the event it ran for an hour, so a redelivery of
 *   an older event does not run again; a dead-lettered event did not run, so its replay opens a
 *   burst of its own (and runs after `period`, unless a newer event of its key ran meanwhile).
 * - `leading`: the event that finds no open burst opens one and runs at once (through the broker's
 *   retry policy; a failed run closes the burst so its retry runs); events inside an open burst
 *   are dropped, each pushing its end to `period` later (never past `max` after its first event).
 *
 * @module
 */

import type { EventEnvelope } from "../adapters/mod.ts";
import type { DebounceControl } from "../parser/mod.ts";
import type { Kv, KvEntryMaybe, KvKey } from "../state/mod.ts";
import type { Timer, TimerStore } from "./timers/mod.ts";

/** The prefix of burst entries. */
export const DEBOUNCE_PREFIX = ["_rohas", "debounce"] as const;

/** How long a closed burst remembers what it ran, against late redeliveries. */
const REMEMBER_MS = 3_600_000;

/** A key's burst entry. */
interface Burst {
  /** When the burst's first event came, ms since the epoch. */
  firstAt: number;
  /** When its last event came. */
  lastAt: number;
  /** Trailing: the newest event; null once the burst is closed (it ran). */
  envelope: EventEnvelope | null;
  /** Trailing: the publish time of the newest event run so far, or "". */
  ranUpTo: string;
}

/** What a debouncer needs besides its control. */
export interface DebouncerOptions {
  /** The shared timer store (one for every debounced handler of the app); its `kv` holds bursts. */
  timers: TimerStore;
  /** The handler's consumer group: its timers' label, and part of their ids. */
  group: string;
  /** Runs the handler with one event; rejects when it failed. */
  run: (envelope: EventEnvelope) => Promise<void>;
  /** Counts an event debounced away (superseded by a later one, or dropped in a burst). */
  held: () => void;
  /**
   * Called when a trailing run failed for good (after `maxAttempts`), with the event as run and
   * its last error; it dead-letters the event. Rejecting (not stored) fires the timer again later.
   */
  gaveUp: (envelope: EventEnvelope, error: unknown) => Promise<void>;
  /** `[adapter] max_attempts`: runs of one burst before it is given up. */
  maxAttempts: number;
}

/** One debounced handler. */
export class Debouncer {
  readonly #control: DebounceControl;
  readonly #path: readonly string[] | null;
  readonly #options: DebouncerOptions;
  readonly #kv: Kv;

  /** Creates the debouncer of one handler.
   *
   * @param control the schema's `debounce`
   * @param options the timer store, the group and the handler run
   */
  constructor(control: DebounceControl, options: DebouncerOptions) {
    this.#control = control;
    this.#path = control.key === undefined ? null : control.key.split(".");
    this.#options = options;
    this.#kv = options.timers.kv;
  }

  /** Takes one delivery: stores it (trailing), or runs or drops it (leading).
   *
   * @param envelope the delivered event
   * @returns resolves when the delivery may be acknowledged
   */
  add(envelope: EventEnvelope): Promise<void> {
    const key = this.#keyOf(envelope.payload);
    switch (this.#control.edge) {
      case "trailing":
        return this.#trailing(key, envelope);
      case "leading":
        return this.#leading(key, envelope);
    }
  }

  /** Handles a due timer of this handler (the due loop calls it on one instance).
   *
   * @param timer the due timer; its value is the key
   * @returns resolves when done; rejects to have the timer store retry it
   */
  async fire(timer: Timer): Promise<void> {
    const key = timer.value as string;
    const entry = await this.#kv.get<Burst>(this.#entryKey(key));
    const burst = entry.value;
    if (burst === null || burst.envelope === null) return;
    const end = this.#endOf(burst);
    if (end > this.#options.timers.now()) return void await this.#schedule(key, end);
    const envelope = { ...burst.envelope };
    envelope.metadata = { ...envelope.metadata, attempt: timer.attempt };
    const ran = await this.#run(envelope, timer.attempt);
    await this.#close(key, burst.envelope, ran);
  }

  /** Runs a burst's event; false once its last attempt failed and it was given up. */
  async #run(envelope: EventEnvelope, attempt: number): Promise<boolean> {
    try {
      await this.#options.run(envelope);
      return true;
    } catch (error) {
      if (attempt < this.#options.maxAttempts) throw error;
      await this.#options.gaveUp(envelope, error);
      return false;
    }
  }

  async #trailing(key: string, envelope: EventEnvelope): Promise<void> {
    const entryKey = this.#entryKey(key);
    for (;;) {
      const current = await this.#kv.get<Burst>(entryKey);
      const burst = current.value;
      // A later event is in (equal: the pending event's redelivery is written again, the ran
      // event's is dropped).
      const stale = burst?.envelope
        ? envelope.timestamp < burst.envelope.timestamp
        : burst !== null && envelope.timestamp <= burst.ranUpTo;
      if (stale) return this.#options.held();
      const now = this.#options.timers.now();
      const open = burst !== null && burst.envelope !== null;
      // The timer first: a crash before the entry is written leaves a timer with nothing to run.
      if (!open) await this.#schedule(key, now + this.#control.period_ms);
      const next: Burst = {
        firstAt: open ? burst.firstAt : now,
        lastAt: now,
        envelope,
        ranUpTo: burst?.ranUpTo ?? "",
      };
      if (!(await this.#commit(current, next))) continue;
      if (open) this.#options.held(); // The event it replaced will not run.
      return;
    }
  }

  /**
   * Closes the burst after its run, unless a newer event came meanwhile (then it runs later). A
   * given-up event (`succeeded` false) is not remembered as ran, so its replay is not stale.
   */
  async #close(key: string, ran: EventEnvelope, succeeded: boolean): Promise<void> {
    const entryKey = this.#entryKey(key);
    for (;;) {
      const current = await this.#kv.get<Burst>(entryKey);
      const burst = current.value;
      if (burst === null || burst.envelope === null) return;
      if (burst.envelope.id !== ran.id) return void await this.#schedule(key, this.#endOf(burst));
      const ranUpTo = succeeded ? ran.timestamp : burst.ranUpTo;
      const closed: Burst = { ...burst, envelope: null, ranUpTo };
      if (await this.#commit(current, closed)) return;
    }
  }

  async #leading(key: string, envelope: EventEnvelope): Promise<void> {
    const entryKey = this.#entryKey(key);
    for (;;) {
      const current = await this.#kv.get<Burst>(entryKey);
      const now = this.#options.timers.now();
      const burst = current.value;
      const open = burst !== null && this.#endOf(burst) > now;
      const next: Burst = {
        firstAt: open ? burst.firstAt : now,
        lastAt: now,
        envelope: null,
        ranUpTo: "",
      };
      if (!(await this.#commit(current, next))) continue;
      if (open) return this.#options.held();
      try {
        return await this.#options.run(envelope);
      } catch (error) {
        // Its retry (a new delivery) must find no burst, or it would be dropped as one.
        await this.#kv.delete(entryKey);
        throw error;
      }
    }
  }

  #commit(current: KvEntryMaybe<Burst>, next: Burst): Promise<boolean> {
    const expireIn = this.#control.period_ms + (this.#control.max_wait_ms ?? 0) + REMEMBER_MS;
    return this.#kv.atomic().check(current).set(current.key, next, { expireIn }).commit().then(
      (result) => result.ok,
    );
  }

  /** When a burst ends: `period` after its last event, never past `max` after its first. */
  #endOf(burst: Burst): number {
    const end = burst.lastAt + this.#control.period_ms;
    const max = this.#control.max_wait_ms;
    return max === undefined ? end : Math.min(end, burst.firstAt + max);
  }

  #schedule(key: string, dueAt: number): Promise<boolean> {
    const { timers, group } = this.#options;
    return timers.schedule(`${group}|${key}`, dueAt, key, { replace: true, group });
  }

  #entryKey(key: string): KvKey {
    return [...DEBOUNCE_PREFIX, this.#options.group, key];
  }

  /** The key value as JSON (`1` and `"1"` differ; a missing field is `null`). */
  #keyOf(payload: unknown): string {
    if (this.#path === null) return "";
    let value = payload;
    for (const part of this.#path) {
      value = typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[part]
        : undefined;
    }
    return JSON.stringify(value ?? null);
  }
}
