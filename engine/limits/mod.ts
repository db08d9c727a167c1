/**
 * The flow limits of event handlers across instances: `concurrency` (slots in the shared state,
 * with a lease), `rate` and `throttle` (budgets per window in the shared state). See
 * ARCHITECTURE.md ("Flow control").
 *
 * @module
 */

export type { LimitControl, LimiterOptions } from "./limiter.ts";
export { LIMIT_CONTROLS, Limiter, LIMITS_PREFIX } from "./limiter.ts";
export type { SharedSlotsOptions, SlotRecord } from "./shared_slots.ts";
export { DEFAULT_LEASE_MS, SharedSlots } from "./shared_slots.ts";
export type { BudgetRecord, WindowBudgetOptions } from "./budget.ts";
export { WindowBudget } from "./budget.ts";
export { LimitsClosedError, LimitsError, LimitsStateError } from "./errors.ts";
export { KEYED_PARALLELISM } from "./_local_gate.ts";
export { limitersOf } from "./wiring.ts";
export type { BudgetInUse, HandlerLimits, SlotsInUse } from "./snapshot.ts";
export { limitsSnapshot } from "./snapshot.ts";
