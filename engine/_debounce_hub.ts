/**
 * The debounced handlers of one app: one timer store (`debounce`, in the shared state) and its due
 * loop, which hands each due timer to the debouncer of its consumer group. The loop runs in every
 * instance; the timer store lets one of them claim each timer. Every second the hub counts the
 * timers waiting per handler (`rohas_flow_waiting{control="debounce"}`), which is the same in
 * every instance: the timers are shared.
 *
 * @module
 */

import type { EventEnvelope } from "../adapters/mod.ts";
import type { DebounceControl } from "../parser/mod.ts";
import type { Kv } from "../state/mod.ts";
import type { LogEntry } from "../telemetry/mod.ts";
import {
  type DueLoop,
  openTimerStore,
  startDueLoop,
  type Timer,
  type TimerStore,
} from "./timers/mod.ts";
import { Debouncer } from "./_debouncer.ts";
import { flowMeter } from "./_flow_metrics.ts";
import type { EngineParts } from "./parts.ts";
import { deadLetterHeld, type HeldDeadLetter } from "./_held_failure.ts";

/** The timer store of debounced events (timers are labelled with their consumer group). */
export const DEBOUNCE_STORE = "debounce";

const COUNT_EVERY_MS = 1_000;

/** What a hub needs. */
export interface DebounceHubOptions {
  /** The state every instance shares. */
  kv: Kv;
  /** This instance's id, written into the timer claims it wins. */
  instanceId: string;
  /** `[adapter] max_attempts`. */
  maxAttempts: number;
  /**
   * Dead-letters a trailing run that failed for good (the event bus's `deadLetter`). Default none:
   * such an event is logged as dropped.
   */
  deadLetter?: HeldDeadLetter | undefined;
}

/** The debounced handlers of one app, their timers and due loop. */
export class DebounceHub {
  readonly #parts: Pick<EngineParts, "telemetry">;
  readonly #options: DebounceHubOptions;
  readonly #timers: TimerStore;
  readonly #byGroup = new Map<string, { debouncer: Debouncer; handler: string }>();
  #loop: DueLoop | null = null;
  #counter: ReturnType<typeof setInterval> | null = null;

  /** Opens the hub over the shared state (its loop starts with {@linkcode DebounceHub.start}).
   *
   * @param parts the engine parts (telemetry)
   * @param options the shared state, this instance's id, the attempts of a trailing run
   */
  constructor(parts: Pick<EngineParts, "telemetry">, options: DebounceHubOptions) {
    this.#parts = parts;
    this.#options = options;
    this.#timers = openTimerStore(options.kv, {
      name: DEBOUNCE_STORE,
      instanceId: options.instanceId,
    });
  }

  /** Adds a debounced handler.
   *
   * @param control its `debounce`
   * @param at its consumer group, its name and how to run it with one event
   * @returns its debouncer, which takes its deliveries
   */
  add(
    control: DebounceControl,
    at: { group: string; handler: string; run: (e: EventEnvelope) => Promise<void> },
  ): Debouncer {
    const meter = flowMeter(this.#parts, { handler: at.handler, control: "debounce" });
    const debouncer = new Debouncer(control, {
      timers: this.#timers,
      group: at.group,
      run: at.run,
      held: () => meter.held(1),
      gaveUp: async (envelope, error) => {
        const { handler, group } = at;
        const failure = { kind: "debounce" as const, handler, group, envelope, error };
        await deadLetterHeld(this.#parts.telemetry, this.#options.deadLetter, failure);
      },
      maxAttempts: this.#options.maxAttempts,
    });
    this.#byGroup.set(at.group, { debouncer, handler: at.handler });
    return debouncer;
  }

  /** Starts the due loop and the count of waiting timers. */
  start(): void {
    this.#loop = startDueLoop(this.#timers, {
      onDue: (timer) => this.#fire(timer),
      onError: (error, timer) => this.#parts.telemetry.log(errorLog(error, timer)),
    });
    this.#counter = setInterval(() => void this.#count(), COUNT_EVERY_MS);
  }

  /** Stops the loop (waiting for firings under way) and the count. */
  async stop(): Promise<void> {
    if (this.#counter !== null) clearInterval(this.#counter);
    this.#counter = null;
    await this.#loop?.stop();
    this.#loop = null;
  }

  #fire(timer: Timer): Promise<void> {
    const owner = timer.group === null ? undefined : this.#byGroup.get(timer.group);
    // A timer of a handler the schema no longer debounces: nothing to run it with.
    if (owner === undefined) return Promise.resolve();
    return owner.debouncer.fire(timer);
  }

  async #count(): Promise<void> {
    try {
      const waiting = new Map<string, number>();
      for (const timer of await this.#timers.list()) {
        if (timer.group !== null) waiting.set(timer.group, (waiting.get(timer.group) ?? 0) + 1);
      }
      for (const [group, { handler }] of this.#byGroup) {
        flowMeter(this.#parts, { handler, control: "debounce" }).waiting(waiting.get(group) ?? 0);
      }
    } catch (error) {
      this.#parts.telemetry.log(errorLog(error, null));
    }
  }
}

function errorLog(error: unknown, timer: Timer | null): LogEntry {
  const message = error instanceof Error ? error.message : String(error);
  return {
    timestamp: new Date().toISOString(),
    level: "warn",
    target: "rohas::debounce",
    message: timer === null
      ? `Debounce timers could not be read: ${message}`
      : `Debounced run of timer "${timer.id}" failed (attempt ${timer.attempt}): ${message}`,
    fields: { error: error instanceof Error ? error.name : "Error" },
    span_fields: {},
  };
}
