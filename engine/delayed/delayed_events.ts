/**
 * Delayed events: `state.triggerEvent(E, payload, { delay | at, key })` and the schema's
 * `on <handler> { delay: 10s }`, kept in the durable timer store (`engine/timers/`, store
 * `delayed-events` in `state.kv`) until due, so they survive a restart or `kill -9` on every adapter
 * and are fired once across instances.
 *
 * Two kinds of timer: a delayed publish (`k:<event>:<key>` with a key, else
 * `i:<event>:<idempotency key>`), published to every handler when due (dead-lettered for group `*`
 * when the schema refuses its payload by then, `_refused.ts`); and a held delivery of one event to
 * one handler (`h:<group>:<envelope id>`), run by that handler's consumer in whichever instance
 * claims it.
 *
 * @module
 */

import type { EventEnvelope } from "../../adapters/mod.ts";
import type { Kv } from "../../state/mod.ts";
import type { LogEntry, MetricSample, Telemetry } from "../../telemetry/mod.ts";
import {
  type DueLoop,
  openTimerStore,
  startDueLoop,
  type Timer,
  type TimerStore,
} from "../timers/mod.ts";
import type { PublishOptions } from "../parts.ts";
import { InvalidEventPayloadError } from "../events/mod.ts";
import { DelayedEventError } from "./errors.ts";
import { FLOW_METRICS } from "../_flow_metrics.ts";
import { deadLetterHeld, type HeldDeadLetter } from "../_held_failure.ts";
import { deadLetterRefused } from "./_refused.ts";

/** The timer store delayed events live in. */
export const DELAYED_STORE = "delayed-events";

/** The metrics of delayed events. */
export const DELAYED_METRICS: Readonly<{
  total: "rohas_delayed_events_total";
  waiting: "rohas_delayed_events_waiting";
}> = Object.freeze(
  { total: "rohas_delayed_events_total", waiting: "rohas_delayed_events_waiting" } as const,
);

/** The `handler` label and listing value of a delayed publish, which reaches every handler. */
export const ALL_HANDLERS = "all";

/** What a delayed timer carries. */
export type DelayedValue =
  | {
    kind: "publish";
    event: string;
    payload: unknown;
    key: string | null;
    options: PublishOptions;
  }
  | { kind: "delivery"; event: string; handler: string; group: string; envelope: EventEnvelope };

/** A delayed event waiting, as the CLI and the workbench list it. */
export interface DelayedEvent {
  /** The timer's id. */
  id: string;
  /** The event. */
  event: string;
  /** The handler it is held for, or `all` (a delayed publish reaches every handler). */
  handler: string;
  /** When it is due, ISO 8601. */
  dueAt: string;
  /** The key given to `state.triggerEvent`, or null. */
  key: string | null;
  /** `waiting`, or `firing` (an instance claimed it). */
  state: "waiting" | "firing";
  /** Firings so far (a failed firing is retried). */
  attempt: number;
}

/** Options of {@linkcode DelayedEvents}. */
export interface DelayedEventsOptions {
  /** The shared state the timers live in. */
  kv: Kv;
  /** This instance's id (written into claims). */
  instanceId: string;
  /** Publishes a due event now (the engine's publisher). */
  publish: (topic: string, payload: unknown, options: PublishOptions) => Promise<unknown>;
  /** Receives the counters, the gauge and the logs of failed firings. */
  telemetry: Pick<Telemetry, "metric" | "log">;
  /**
   * Firings of a held delivery before it is dead-lettered for its handler's group. Default 5
   * (`[adapter] max_attempts`).
   */
  maxAttempts?: number;
  /**
   * Dead-letters a held delivery that failed for good, and a delayed publish whose payload the
   * schema refuses when it comes due (the event bus's `deadLetter`). Default none: such an event is
   * logged as dropped.
   */
  deadLetter?: HeldDeadLetter | undefined;
  /** Delay before a failed firing is retried, doubled per attempt, in ms. Default 1 000. */
  retryMs?: number;
  /** How often the waiting gauge is refreshed while the loop runs, in ms. Default 5 000. */
  gaugeMs?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** What became of a delayed event, the `outcome` label of `rohas_delayed_events_total`. */
type DelayedOutcome = "scheduled" | "delivered" | "cancelled" | "dead_lettered" | "dropped";

/** Runs a held delivery through a handler's consumer (its concurrency gate, trace, retries). */
export type DeliveryRunner = (envelope: EventEnvelope) => Promise<void>;

/**
 * The delayed events of one app in one instance: schedules and cancels them, holds deliveries for
 * handlers with a `delay`, and (once {@linkcode DelayedEvents.start}ed, in serving instances) fires
 * what is due.
 *
 * @example
 * ```ts
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { DelayedEvents } from "./mod.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const published = Promise.withResolvers<string>();
 * const delayed = new DelayedEvents({
 *   kv,
 *   instanceId: "a",
 *   publish: (topic) => Promise.resolve(published.resolve(topic)),
 *   telemetry: { metric: () => {}, log: () => {} },
 * });
 * delayed.start();
 * await delayed.schedule("Reminder", { id: 1 }, { parentId: null, source: "api:Remind" }, {
 *   at: Date.now() + 20,
 * });
 * if ((await published.promise) !== "Reminder") throw new Error("Example failed");
 * await delayed.stop();
 * await kv.close();
 * ```
 */
export class DelayedEvents {
  readonly #store: TimerStore;
  readonly #options: DelayedEventsOptions;
  readonly #runners = new Map<string, DeliveryRunner>();
  #loop: DueLoop | null = null;
  #gauge: ReturnType<typeof setInterval> | null = null;
  #gauged = new Set<string>();

  /** Creates the delayed events of an app (not firing until started).
   *
   * @param options the shared state, this instance, the publisher, telemetry
   */
  constructor(options: DelayedEventsOptions) {
    this.#options = options;
    this.#store = openTimerStore(options.kv, {
      name: DELAYED_STORE,
      instanceId: options.instanceId,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * Schedules a publish.
   *
   * @param event the event
   * @param payload its payload (checked by the caller)
   * @param options the publish's cause, source and idempotency key
   * @param timing when, and the key that names it
   * @returns false when a delayed event of this event with this key (or idempotency key) waits:
   *   the first is kept
   */
  async schedule(
    event: string,
    payload: unknown,
    options: PublishOptions,
    timing: { at: number; key?: string },
  ): Promise<boolean> {
    const { timing: _, ...publishOptions } = options;
    const key = timing.key ?? null;
    const id = key === null
      ? `i:${event}:${options.idempotencyKey ?? crypto.randomUUID()}`
      : `k:${event}:${key}`;
    const value: DelayedValue = { kind: "publish", event, payload, key, options: publishOptions };
    const scheduled = await this.#store.schedule(id, timing.at, value, { group: event });
    if (scheduled) this.#count(event, ALL_HANDLERS, "scheduled");
    return scheduled;
  }

  /**
   * Cancels the delayed publish of `event` with `key`.
   *
   * @returns true when it was waiting and is removed; false when absent, fired or firing
   */
  async cancel(event: string, key: string): Promise<boolean> {
    const cancelled = await this.#store.cancel(`k:${event}:${key}`);
    if (cancelled) this.#count(event, ALL_HANDLERS, "cancelled");
    return cancelled;
  }

  /**
   * Holds a delivery for a handler with a `delay` until `dueAt`; the held delivery then runs
   * through the runner its group registered ({@linkcode DelayedEvents.register}).
   *
   * @param target the event, handler and consumer group
   * @param envelope the delivered event
   * @param dueAt when the handler may see it, in milliseconds since the epoch
   */
  async hold(
    target: { event: string; handler: string; group: string },
    envelope: EventEnvelope,
    dueAt: number,
  ): Promise<void> {
    const value: DelayedValue = { kind: "delivery", ...target, envelope };
    const id = `h:${target.group}:${envelope.id}`;
    // A redelivery of a held event finds its timer and leaves it.
    const scheduled = await this.#store.schedule(id, dueAt, value, { group: target.event });
    if (scheduled) this.#count(target.event, target.handler, "scheduled");
  }

  /**
   * Registers the runner of a consumer group's held deliveries (the last registered wins).
   *
   * @returns removes it (if still the one registered)
   */
  register(group: string, run: DeliveryRunner): () => void {
    this.#runners.set(group, run);
    return () => {
      if (this.#runners.get(group) === run) this.#runners.delete(group);
    };
  }

  /** The delayed events waiting (of one event), soonest first. */
  list(options: { event?: string } = {}): Promise<DelayedEvent[]> {
    return listDelayedEvents(this.#options.kv, options);
  }

  /** Starts firing due events in this instance (serving instances only). */
  start(): void {
    if (this.#loop !== null) return;
    this.#loop = startDueLoop(this.#store, {
      onDue: (timer) => this.#fire(timer),
      onError: (error, timer) => this.#options.telemetry.log(failedLog(error, timer)),
      ...(this.#options.retryMs === undefined ? {} : { retryMs: this.#options.retryMs }),
    });
    const refresh = () => {
      this.#refreshGauge().catch((error) => this.#options.telemetry.log(failedLog(error, null)));
    };
    this.#gauge = setInterval(refresh, this.#options.gaugeMs ?? 5_000);
    refresh();
  }

  /** Stops firing; waits for the firings under way. */
  async stop(): Promise<void> {
    if (this.#gauge !== null) clearInterval(this.#gauge);
    this.#gauge = null;
    await this.#loop?.stop();
    this.#loop = null;
  }

  async #fire(timer: Timer): Promise<void> {
    const value = timer.value as DelayedValue;
    switch (value.kind) {
      case "publish":
        return await this.#publish(value);
      case "delivery":
        return await this.#deliver(value, timer.attempt);
    }
  }

  async #publish(value: Extract<DelayedValue, { kind: "publish" }>): Promise<void> {
    try {
      await this.#options.publish(value.event, value.payload, value.options);
    } catch (error) {
      // A payload the current schema refuses stays refused: retrying would not change it, so it
      // is dead-lettered, to be replayed once the schema or the payload is fixed.
      if (!(error instanceof InvalidEventPayloadError)) throw error;
      const { telemetry, deadLetter } = this.#options;
      const ctx = { telemetry, deadLetter, handler: ALL_HANDLERS };
      const stored = await deadLetterRefused(ctx, value, error);
      return this.#count(value.event, ALL_HANDLERS, stored ? "dead_lettered" : "dropped");
    }
    this.#count(value.event, ALL_HANDLERS, "delivered");
  }

  /**
   * Runs a held delivery; after its last attempt failed, dead-letters it for its group (a failure
   * to store the dead letter throws, so the timer fires again: one more run, then another try).
   */
  async #deliver(value: Extract<DelayedValue, { kind: "delivery" }>, attempt: number) {
    const envelope = { ...value.envelope, metadata: { ...value.envelope.metadata, attempt } };
    try {
      const run = this.#runners.get(value.group);
      if (run === undefined) {
        throw new DelayedEventError(
          `Cannot run the held delivery of "${value.event}" to handler "${value.handler}": ` +
            "no consumer of its group runs in this instance",
        );
      }
      await run(envelope);
    } catch (error) {
      if (attempt < (this.#options.maxAttempts ?? 5)) throw error;
      const { handler, group } = value;
      const failure = { kind: "delay", handler, group, envelope, error } as const;
      const stored = await deadLetterHeld(
        this.#options.telemetry,
        this.#options.deadLetter,
        failure,
      );
      return this.#count(value.event, value.handler, stored ? "dead_lettered" : "dropped");
    }
    this.#count(value.event, value.handler, "delivered");
  }

  #count(event: string, handler: string, outcome: DelayedOutcome): void {
    this.#options.telemetry.metric(sample(DELAYED_METRICS.total, "counter", 1, {
      event,
      handler,
      outcome,
    }));
  }

  async #refreshGauge(): Promise<void> {
    const counts = new Map<string, number>();
    for (const d of await this.list()) {
      const label = `${d.event}\u0000${d.handler}`;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    for (const label of this.#gauged) if (!counts.has(label)) counts.set(label, 0);
    for (const [label, count] of counts) {
      const [event, handler] = label.split("\u0000") as [string, string];
      this.#options.telemetry.metric(
        sample(DELAYED_METRICS.waiting, "gauge", count, { event, handler }),
      );
      if (handler !== ALL_HANDLERS) {
        // Held for a handler's `delay`: the flow controls' family too.
        const labels = { handler, control: "delay" };
        this.#options.telemetry.metric(sample(FLOW_METRICS.waiting, "gauge", count, labels));
      }
    }
    this.#gauged = new Set([...counts].filter(([, n]) => n > 0).map(([label]) => label));
  }
}

/**
 * The delayed events waiting in an app's shared state (of one event), soonest first: what
 * `rohas events delayed` prints.
 *
 * @param kv the app's shared state
 * @param options only this event
 * @returns the delayed events
 */
export async function listDelayedEvents(
  kv: Kv,
  options: { event?: string } = {},
): Promise<DelayedEvent[]> {
  const store = openTimerStore(kv, { name: DELAYED_STORE, instanceId: "list" });
  const timers = await store.list(options.event === undefined ? {} : { group: options.event });
  return timers.map((timer) => {
    const value = timer.value as DelayedValue;
    return {
      id: timer.id,
      event: value.event,
      handler: value.kind === "delivery" ? value.handler : ALL_HANDLERS,
      dueAt: new Date(timer.dueAt).toISOString(),
      key: value.kind === "publish" ? value.key : null,
      state: timer.state,
      attempt: timer.attempt,
    };
  });
}

function sample(
  name: string,
  kind: MetricSample["kind"],
  value: number,
  labels: Record<string, string>,
): MetricSample {
  return { name, kind, value, labels, timestamp: new Date().toISOString() };
}

function failedLog(error: unknown, timer: Timer | null): LogEntry {
  const value = timer?.value as DelayedValue | undefined;
  return {
    timestamp: new Date().toISOString(),
    level: "warn",
    target: "engine:delayed",
    message: value === undefined
      ? `Delayed events: ${String(error)}`
      : `Delayed "${value.event}" failed (attempt ${timer!.attempt}), retried later: ${
        String(error)
      }`,
    fields: value === undefined ? {} : { event: value.event, timer: timer!.id },
    span_fields: {},
  };
}
