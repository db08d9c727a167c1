/**
 * The limits of one event handler, composed in front of each delivery's run: `rate` first (a run
 * over the budget is dropped: acknowledged, counted, never run), then `throttle` (a run over the
 * budget waits for the next window), then `concurrency` (this instance's slots first, then the
 * slots shared by every instance). See ARCHITECTURE.md ("Flow control").
 *
 * @module
 */

import type { Kv, KvKey } from "../../state/mod.ts";
import type { RateControl } from "../../parser/mod.ts";
import type { SubscriptionControls } from "../app_model.ts";
import { ConcurrencyGate, KEYED_PARALLELISM } from "./_local_gate.ts";
import { keyOf, pathOf } from "./_key.ts";
import { SharedSlots } from "./shared_slots.ts";
import { WindowBudget } from "./budget.ts";

/** The controls a {@linkcode Limiter} enforces. */
export const LIMIT_CONTROLS = ["concurrency", "rate", "throttle"] as const;

/** One of {@linkcode LIMIT_CONTROLS}. */
export type LimitControl = typeof LIMIT_CONTROLS[number];

/** The key prefix of every limit's entries in the shared state. */
export const LIMITS_PREFIX = ["_rohas", "limits"] as const;

/** Options of {@linkcode Limiter}. */
export interface LimiterOptions {
  /** The state every instance shares (`state.kv`). */
  kv: Kv;
  /** This instance's id, written into the concurrency slots it holds. */
  instanceId: string;
  /** The handler's consumer group, which names its entries in the shared state. */
  group: string;
  /** Told each time a control holds a delivery back (it waits, or `rate` dropped it). */
  onHeld?: (control: LimitControl) => void;
  /** Told how many deliveries wait for a control in this instance, each time it changes. */
  onWaiting?: (control: LimitControl, count: number) => void;
  /** Told when a concurrency slot's lease could not be renewed. */
  onError?: (error: Error) => void;
  /** Concurrency slot lease in milliseconds. Default 10 s. */
  leaseMs?: number;
}

/** The budgets and slots of one handler. */
export class Limiter {
  readonly #onHeld: (control: LimitControl) => void;
  readonly #onWaiting: (control: LimitControl, count: number) => void;
  readonly #waiting = new Map<LimitControl, number>();
  readonly #rate: Budget | null;
  readonly #throttle: Budget | null;
  readonly #local: ConcurrencyGate | null;
  readonly #shared: { slots: SharedSlots; path: readonly string[] | null } | null;
  readonly #parallelism: number | undefined;

  /**
   * The limiter of a handler's controls, or null when it declares none of {@linkcode LIMIT_CONTROLS}.
   *
   * @param controls the handler's controls
   * @param options the shared state, this instance and the handler's group
   * @returns the limiter, or null
   */
  static of(controls: SubscriptionControls | undefined, options: LimiterOptions): Limiter | null {
    if (!controls || LIMIT_CONTROLS.every((c) => controls[c] === undefined)) return null;
    return new Limiter(controls, options);
  }

  private constructor(controls: SubscriptionControls, options: LimiterOptions) {
    this.#onHeld = options.onHeld ?? (() => {});
    this.#onWaiting = options.onWaiting ?? (() => {});
    const prefix = (control: LimitControl): KvKey => [...LIMITS_PREFIX, options.group, control];
    const budget = (control: "rate" | "throttle", spec: RateControl | undefined) =>
      spec === undefined ? null : {
        budget: new WindowBudget({
          kv: options.kv,
          prefix: prefix(control),
          limit: spec.limit,
          periodMs: spec.period_ms,
        }),
        path: pathOf(spec),
      };
    this.#rate = budget("rate", controls.rate);
    this.#throttle = budget("throttle", controls.throttle);
    const concurrency = controls.concurrency;
    this.#local = concurrency ? new ConcurrencyGate(concurrency) : null;
    this.#shared = concurrency
      ? {
        slots: new SharedSlots({
          kv: options.kv,
          prefix: prefix("concurrency"),
          limit: concurrency.limit,
          instanceId: options.instanceId,
          ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
          ...(options.onError === undefined ? {} : { onRenewalError: options.onError }),
        }),
        path: pathOf(concurrency),
      }
      : null;
    this.#parallelism = parallelismOf(controls);
  }

  /** Deliveries the consumer group should take at once; undefined: the bus's default. */
  get parallelism(): number | undefined {
    return this.#parallelism;
  }

  /**
   * Runs the task within the limits, or drops it (`rate` over budget: resolves without running).
   *
   * @param delivery the payload the keys are read from, and the attempt (every attempt takes from
   * a `rate`: a broker's redelivery cannot be told from a retry, and the limit must hold)
   * @param task the handler run
   * @returns whether the task ran
   */
  async run(
    delivery: { payload: unknown; attempt: number },
    task: () => Promise<void>,
  ): Promise<boolean> {
    const { payload } = delivery;
    if (this.#rate) {
      const next = await this.#rate.budget.take(keyOf(payload, this.#rate.path));
      if (next !== null) {
        this.#onHeld("rate");
        return false;
      }
    }
    if (this.#throttle) {
      const key = keyOf(payload, this.#throttle.path);
      let stop = () => {};
      try {
        await this.#throttle.budget.wait(key, () => stop = this.#startWaiting("throttle"));
      } finally {
        stop();
      }
    }
    await this.#concurrent(payload, task);
    return true;
  }

  /** Counts one more delivery waiting for the control; the function returned counts it out. */
  #startWaiting(control: LimitControl): () => void {
    this.#onHeld(control);
    this.#count(control, 1);
    let stopped = false;
    return () => {
      if (!stopped) this.#count(control, -1);
      stopped = true;
    };
  }

  #count(control: LimitControl, delta: number): void {
    const count = (this.#waiting.get(control) ?? 0) + delta;
    this.#waiting.set(control, count);
    this.#onWaiting(control, count);
  }

  /** Wakes every waiting delivery (each fails, so the broker delivers it again) and stops renewals. */
  close(): void {
    this.#rate?.budget.close();
    this.#throttle?.budget.close();
    this.#shared?.slots.close();
  }

  async #concurrent(payload: unknown, task: () => Promise<void>): Promise<void> {
    const shared = this.#shared;
    if (this.#local === null || shared === null) return await task();
    const waiting: { stop: (() => void) | null } = { stop: null };
    const waited = () => waiting.stop ??= this.#startWaiting("concurrency");
    const started = () => {
      waiting.stop?.();
      return task();
    };
    try {
      await this.#local.run(
        payload,
        () => shared.slots.run(keyOf(payload, shared.path), started, waited),
        waited,
      );
    } finally {
      waiting.stop?.();
    }
  }
}

interface Budget {
  budget: WindowBudget;
  path: readonly string[] | null;
}

/**
 * A limit without a key keeps the group's order (as many at once as the limit allows); a keyed
 * one takes more deliveries at once, so other keys' runs go on while one key waits. A `rate` takes
 * more too: the events it drops already break the order, and a group that takes one delivery at a
 * time from a slow broker (Kafka's commits) would see fewer events than the budget allows.
 */
function parallelismOf(controls: SubscriptionControls): number | undefined {
  const keyed = LIMIT_CONTROLS.some((c) => controls[c]?.key !== undefined);
  const limit = controls.concurrency?.limit;
  if (keyed || controls.rate) return Math.max(limit ?? 1, KEYED_PARALLELISM);
  return limit;
}
