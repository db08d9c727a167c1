/**
 * Delayed events (`state.triggerEvent(E, payload, { delay | at, key })`, `state.cancelEvent`) and
 * deliveries held for a handler's `delay`, kept in the durable timer store until due.
 *
 * @module
 */

export {
  ALL_HANDLERS,
  DELAYED_METRICS,
  DELAYED_STORE,
  type DelayedEvent,
  DelayedEvents,
  type DelayedEventsOptions,
  type DelayedValue,
  type DeliveryRunner,
  listDelayedEvents,
} from "./delayed_events.ts";
export { DelayedEventError } from "./errors.ts";
export { type HeldHandler, holdFor } from "./_hold.ts";
export { publishTimed } from "./publish_timed.ts";
