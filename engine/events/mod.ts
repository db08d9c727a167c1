/**
 * The event bus: envelopes, the delivery policy (retries with backoff and equal jitter,
 * `NonRetriableError`, dead letters), metrics per topic. Brokers live behind `adapters/`.
 *
 * @module
 */

export { BUS_METRICS, EventBus, publishedMetadata } from "./event_bus.ts";
export type {
  BusSeriesItem,
  BusSeriesOutcome,
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
export {
  EventBusClosedError,
  EventBusError,
  InvalidEventPayloadError,
  InvalidRetryPolicyError,
} from "./errors.ts";
export type { RefusedLetter } from "./errors.ts";
export { describeIssues, payloadCheck } from "./payload_check.ts";
export type { PayloadCheck, PayloadIssue, PayloadRefusal, PayloadTypes } from "./payload_check.ts";
