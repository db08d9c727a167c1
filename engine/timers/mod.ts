/**
 * Durable timers over the shared state (`state.kv`): {@linkcode openTimerStore} schedules, cancels
 * and lists timers; {@linkcode startDueLoop} fires each due timer once across every instance of
 * the app, within a poll interval of its time, and after a restart or `kill -9` too. Delayed events
 * and debounce build on it.
 *
 * @example
 * ```ts
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { openTimerStore, startDueLoop } from "./mod.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const timers = openTimerStore(kv, { name: "reminders", instanceId: "a" });
 * const fired = Promise.withResolvers<string>();
 * const loop = startDueLoop(timers, {
 *   onDue: (timer) => Promise.resolve(fired.resolve(timer.id)),
 *   onError: (error) => fired.reject(error),
 * });
 * await timers.schedule("invoice-42", Date.now() + 20, { invoice: 42 }, { group: "billing" });
 * if ((await fired.promise) !== "invoice-42") throw new Error("Example failed");
 * await loop.stop();
 * await kv.close();
 * ```
 *
 * @module
 */

export {
  openTimerStore,
  type ScheduleOptions,
  STALE_INDEX_MS,
  type Timer,
  TIMER_PREFIX,
  type TimerRecord,
  type TimerStore,
  type TimerStoreOptions,
} from "./timer_store.ts";
export { type DueLoop, type DueLoopOptions, startDueLoop } from "./due_loop.ts";
export { TimerError, TimerInputError } from "./errors.ts";
