/**
 * The `debounce` flow control, across every instance of the app: one run per burst of events with
 * the same key (a burst ends after `period` without an event, or `max` after its first event).
 * It lives in the durable timer store (`engine/timers/`, in `state.kv`), one timer per handler and
 * key value:
 *
 * - `trailing`: each event replaces the key's timer with one due `period` from now (never later
 *   than `max` after the burst's first event) that carries the event. The delivery is acknowledged
 *   once the timer is written, so the broker forgets it only when the timer store holds it. When
 *   the timer is due, the due loop of one instance claims it and runs the handler with the last
 *   event. A run that fails is retried by the timer store with a backoff, up to `[adapter]
 *   max_attempts`, then given up with an error log (as a dead letter would be).
 * - `leading`: the event that finds no timer writes one (an atomic create, so one instance wins)
 *   and runs at once, through the broker's retry policy; if it fails for good its timer is removed
 *   so the next event runs. Events that find the timer are dropped, each pushing the end of the
 *   burst to `period` from now (never later than `max` after the burst's first event).
 *
 * @module
 */

import type { EventEnvelope } from "../adapters/mod.ts";
import type { DebounceControl } from "../parser/mod.ts";
import type { Timer, TimerStore } from "./timers/mod.ts";

/** What the timer of a key holds. */
interface DebounceValue {
  edge: DebounceControl["edge"];
  /** When the burst's first event arrived, ms since the epoch. */
  firstAt: number;
  /** The event to run with (trailing only). */
  envelope?: EventEnvelope;
}

/** What a debouncer needs besides its control. */
export interface DebouncerOptions {
  /** The shared timer store (one for every debounced handler of the app). */
  timers: TimerStore;
  /** The handler's consumer group: its timers' label, and the prefix of their ids. */
  group: string;
  /** Runs the handler with one event; rejects when it failed. */
  run: (envelope: EventEnvelope) => Promise<void>;
  /** Counts an event debounced away (superseded by a later one, or dropped in a burst). */
  held: () => void;
  /** Called when a trailing run failed for good (after `maxAttempts`), with its last error. */
  gaveUp: (envelope: EventEnvelope, error: unknown) => void;
  /** `[adapter] max_attempts`: runs of one trailing timer before it is given up. */
  maxAttempts: number;
}

/** One debounced handler. */
export class Debouncer {
  readonly #control: DebounceControl;
  readonly #path: readonly string[] | null;
  readonly #options: DebouncerOptions;

  /** Creates the debouncer of one handler.
   *
   * @param control the schema's `debounce`
   * @param options the timer store, the group and the handler run
   */
  constructor(control: DebounceControl, options: DebouncerOptions) {
    this.#control = control;
    this.#path = control.key === undefined ? null : control.key.split(".");
    this.#options = options;
  }

  /** The consumer group this debouncer serves (its timers carry it as their label). */
  get group(): string {
    return this.#options.group;
  }

  /** Takes one delivery: stores it (trailing), or runs or drops it (leading).
   *
   * @param envelope the delivered event
   * @returns resolves when the delivery may be acknowledged
   */
  add(envelope: EventEnvelope): Promise<void> {
    const id = `${this.#options.group}|${this.#keyOf(envelope.payload)}`;
    switch (this.#control.edge) {
      case "trailing":
        return this.#trailing(id, envelope);
      case "leading":
        return this.#leading(id, envelope);
    }
  }

  /** Runs a due timer of this handler (the due loop calls it on one instance).
   *
   * @param timer the due timer
   * @returns resolves when done; rejects to have the timer store retry it
   */
  async fire(timer: Timer): Promise<void> {
    const value = timer.value as DebounceValue;
    if (value.envelope === undefined) return; // A leading burst's end: nothing runs.
    const envelope: EventEnvelope = {
      ...value.envelope,
      metadata: { ...value.envelope.metadata, attempt: timer.attempt },
    };
    try {
      await this.#options.run(envelope);
    } catch (error) {
      if (timer.attempt < this.#options.maxAttempts) throw error;
      this.#options.gaveUp(envelope, error);
    }
  }

  async #trailing(id: string, envelope: EventEnvelope): Promise<void> {
    const { timers, group } = this.#options;
    const now = timers.now();
    const current = await timers.get(id);
    const burst = current?.state === "waiting";
    const firstAt = burst ? (current.value as DebounceValue).firstAt : now;
    const value: DebounceValue = { edge: "trailing", firstAt, envelope };
    await timers.schedule(id, this.#dueAt(now, firstAt), value, { replace: true, group });
    if (burst) this.#options.held();
  }

  async #leading(id: string, envelope: EventEnvelope): Promise<void> {
    const { timers, group } = this.#options;
    for (;;) {
      const now = timers.now();
      const value: DebounceValue = { edge: "leading", firstAt: now };
      if (await timers.schedule(id, now + this.#control.period_ms, value, { group })) {
        return await this.#runLeading(id, envelope);
      }
      const current = await timers.get(id);
      // The burst ended between the two reads: this event starts the next one.
      if (current === null || current.state !== "waiting") continue;
      this.#options.held();
      const firstAt = (current.value as DebounceValue).firstAt;
      const extended: DebounceValue = { edge: "leading", firstAt };
      await timers.schedule(id, this.#dueAt(now, firstAt), extended, { replace: true, group });
      return;
    }
  }

  async #runLeading(id: string, envelope: EventEnvelope): Promise<void> {
    try {
      await this.#options.run(envelope);
    } catch (error) {
      // Its retry (a new delivery) must find no burst, or it would be dropped as one.
      await this.#options.timers.cancel(id);
      throw error;
    }
  }

  /** `period` from now, never later than `max` after the burst's first event. */
  #dueAt(now: number, firstAt: number): number {
    const max = this.#control.max_wait_ms;
    const end = now + this.#control.period_ms;
    return max === undefined ? end : Math.min(end, firstAt + max);
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
