/**
 * The event bus: envelopes, the delivery policy (retries with backoff and equal jitter,
 * `NonRetriableError`, dead letters), metrics per topic. Brokers live behind `adapters/`.
 *
 * @module
 */

export { BUS_METRICS, EventBus } from "./event_bus.ts";
export type {
  BusSubscribeOptions,
  EventBusOptions,
  EventHandler,
  PublishOptions,
} from "./event_bus.ts";
export {
  checkRetryPolicy,
  DEFAULT_RETRY_POLICY,
  retryDelay,
  retryPolicyOf,
} from "./retry_policy.ts";
export type { RetryPolicy } from "./retry_policy.ts";
export { EventBusClosedError, EventBusError, InvalidRetryPolicyError } from "./errors.ts";
