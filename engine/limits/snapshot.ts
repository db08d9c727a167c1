/**
 * What the limits hold now across every instance, read from the shared state for the workbench:
 * per handler, the concurrency slots taken per key (and by which instances), and what each key
 * used of its rate and throttle budgets in the current window.
 *
 * @module
 */

import type { Kv } from "../../state/mod.ts";
import type { AppModel } from "../app_model.ts";
import { LIMITS_PREFIX } from "./limiter.ts";
import type { SlotRecord } from "./shared_slots.ts";

/** One key's taken slots. */
export interface SlotsInUse {
  /** The key value as JSON (`""` for a limit without `by`). */
  key: string;
  /** Runs in flight with this key, across instances. */
  in_flight: number;
  /** The instances running them. */
  instances: string[];
}

/** One key's budget in the current window. */
export interface BudgetInUse {
  /** The key value as JSON (`""` for a budget without `by`). */
  key: string;
  /** Runs started in the current window. */
  used: number;
}

/** The live state of one handler's limits. */
export interface HandlerLimits {
  /** The handler. */
  handler: string;
  /** Its event. */
  event: string;
  /** `concurrency`: the limit per key and the keys with runs in flight. */
  concurrency?: { limit: number; keys: SlotsInUse[] };
  /** `rate`: the budget, its window's end (ms since the epoch) and the keys that used some. */
  rate?: { limit: number; period_ms: number; resets_at: number; keys: BudgetInUse[] };
  /** `throttle`: as `rate`. */
  throttle?: { limit: number; period_ms: number; resets_at: number; keys: BudgetInUse[] };
}

/**
 * Reads the live state of every handler's limits.
 *
 * @param kv the shared state the limits keep their entries in
 * @param model the application model (which handlers declare limits)
 * @param now milliseconds since the epoch (which window is current). Default `Date.now()`
 * @returns one entry per handler declaring `concurrency`, `rate` or `throttle`
 * @example
 * ```ts
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { limitsSnapshot } from "./snapshot.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const model = { project: "p", root: "/p", routes: [], schedules: [], sockets: [], events: [] };
 * if ((await limitsSnapshot(kv, model)).length !== 0) throw new Error("Example failed");
 * await kv.close();
 * ```
 */
export async function limitsSnapshot(
  kv: Kv,
  model: AppModel,
  now: number = Date.now(),
): Promise<HandlerLimits[]> {
  const out: HandlerLimits[] = [];
  for (const spec of model.events) {
    for (const sub of spec.subscriptions) {
      const c = sub.controls;
      if (!c || (!c.concurrency && !c.rate && !c.throttle)) continue;
      const entry: HandlerLimits = { handler: sub.handler.name, event: spec.event };
      const prefix = [...LIMITS_PREFIX, sub.group];
      if (c.concurrency) {
        const keys = await slotsInUse(kv, [...prefix, "concurrency"]);
        entry.concurrency = { limit: c.concurrency.limit, keys };
      }
      for (const control of ["rate", "throttle"] as const) {
        const spec = c[control];
        if (!spec) continue;
        const window = Math.floor(now / spec.period_ms);
        entry[control] = {
          limit: spec.limit,
          period_ms: spec.period_ms,
          resets_at: (window + 1) * spec.period_ms,
          keys: await budgetsInUse(kv, [...prefix, control], window),
        };
      }
      out.push(entry);
    }
  }
  return out;
}

async function slotsInUse(kv: Kv, prefix: readonly (string | number)[]): Promise<SlotsInUse[]> {
  const byKey = new Map<string, SlotsInUse>();
  for await (const entry of kv.list<SlotRecord>({ prefix })) {
    const key = String(entry.key[prefix.length]);
    let slots = byKey.get(key);
    if (!slots) byKey.set(key, slots = { key, in_flight: 0, instances: [] });
    slots.in_flight++;
    if (!slots.instances.includes(entry.value.instance)) slots.instances.push(entry.value.instance);
  }
  return [...byKey.values()];
}

async function budgetsInUse(
  kv: Kv,
  prefix: readonly (string | number)[],
  window: number,
): Promise<BudgetInUse[]> {
  const out: BudgetInUse[] = [];
  for await (const entry of kv.list<number>({ prefix })) {
    if (entry.key[prefix.length + 1] !== window) continue;
    out.push({ key: String(entry.key[prefix.length]), used: entry.value });
  }
  return out;
}
