/**
 * What the adapters share: settings readers, the settle-once delivery and its run, the dispatcher,
 * FIFO and hand-back order of the embedded adapters (memory, rocksdb, denokv), the lifecycle of the
 * broker adapters (nats, rabbitmq, kafka, sqs), the in-flight tracker, backoff, the envelope codec
 * and the errors for unreachable brokers. Private to `adapters/`.
 *
 * @module
 */

export { BrokerError, BrokerUnreachableError } from "./errors.ts";
export {
  type BrokerAdapterOptions,
  processEnv,
  readSettings,
  type SettingsReader,
} from "./settings.ts";
export {
  createDelivery,
  type DeliveryMechanism,
  runDelivery,
  type RunDeliveryOptions,
} from "./delivery.ts";
export {
  BrokerLifecycle,
  type BrokerSubscriptionSpec,
  DEFAULT_SERVICE,
  resolveBrokerOptions,
  type ResolvedBrokerOptions,
} from "./lifecycle.ts";
export { InFlight, Semaphore } from "./in_flight.ts";
export { Fifo } from "./fifo.ts";
export { Returned } from "./returned.ts";
export {
  Consumer,
  consumerSubscription,
  type ConsumerSubscriptionOptions,
  Dispatcher,
  type DispatchSource,
  type OpenedItem,
} from "./dispatcher.ts";
export { type RetryOptions, retryWithBackoff } from "./backoff.ts";
export {
  deadLetterOf,
  type DeadLetterOptions,
  decodeEnvelope,
  encodeEnvelope,
  fit,
  newestFirst,
  subjectToken,
  withAttempt,
} from "./codec.ts";
