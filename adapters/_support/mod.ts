/**
 * What the broker adapters (rocksdb, denokv, nats, rabbitmq, kafka, sqs) share: settings readers,
 * the settle-once delivery, the in-flight tracker and the errors for unreachable brokers. Private
 * to `adapters/`.
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
export { createDelivery, type DeliveryMechanism } from "./delivery.ts";
export { InFlight, Semaphore } from "./in_flight.ts";
export { Fifo } from "./fifo.ts";
export { Consumer, Dispatcher, type DispatchSource, type OpenedItem } from "./dispatcher.ts";
export { type RetryOptions, retryWithBackoff } from "./backoff.ts";
export { decodeEnvelope, encodeEnvelope, subjectToken } from "./codec.ts";
