/**
 * Event adapters: the broker boundary of the event bus (docs/design.md#d9-event-delivery and
 * docs/design.md#d10-adapters), published as `@rohas/cli/adapters`. Exports the
 * {@linkcode Adapter} contract, the `memory` adapter, {@linkcode createAdapter}, which builds the
 * adapter named by `[adapter] type`, and {@linkcode adapterConformance}, the suite an adapter of
 * your own passes before `createApp({ adapter })` runs on it (docs/examples/custom_adapter_test.ts
 * writes one).
 *
 * @module
 */

// The config's shape alone, not the project door (which loads the TOML parser): an edge loads this.
import { ADAPTER_TYPES, type AdapterSection } from "../project/config.ts";
import type { Adapter } from "./adapter.ts";
import { UnknownAdapterError } from "./errors.ts";
import { type Clock, createMemoryAdapter } from "./memory/mod.ts";

export type {
  Adapter,
  AdapterGuarantees,
  DeadLetter,
  Delivery,
  DeliveryHandler,
  EnvelopeMetadata,
  EventEnvelope,
  ReplayOptions,
  SubscribeOptions,
  Subscription,
} from "./adapter.ts";
export { PUBLISH_GROUP } from "./adapter.ts";
export type { AdapterSection } from "../project/config.ts";
export { RohasError } from "../errors.ts";
export {
  AdapterClosedError,
  AdapterError,
  DeliverySettledError,
  UnknownAdapterError,
} from "./errors.ts";
import { importOnDemand } from "../_import_on_demand.ts";
export { BrokerError, BrokerUnreachableError } from "./_support/mod.ts";
export { type DeadLetterJson, deadLetterJson } from "./dead_letter_json.ts";
export { createMemoryAdapter, ManualClock, systemClock } from "./memory/mod.ts";
export type { ConformanceOptions as AdapterConformanceOptions } from "./conformance.ts";
export { adapterConformance } from "./conformance.ts";
export type { Clock, MemoryAdapter, MemoryAdapterOptions } from "./memory/mod.ts";

/** Every `[adapter] type` {@linkcode createAdapter} accepts. */
export { ADAPTER_TYPES };

/** Options of {@linkcode createAdapter}. */
export interface CreateAdapterOptions {
  /** The project root; relative paths in `[adapter]` settings resolve against it. Default `Deno.cwd()`. */
  projectRoot?: string;
  /** Time and timers, for tests. Default the real clock. */
  clock?: Clock;
  /**
   * The service (project) name: the broker adapters name their streams, queues and topics after it,
   * so two projects on one broker do not collide. Default `"rohas"`. The embedded adapters keep
   * their store in the project itself and do not use it.
   */
  service?: string;
  /**
   * Receives errors that happen in the background, where no caller can see them: a lost connection
   * being retried, a failed poll or clean-up, a handler throwing after it settled its delivery.
   * Default: ignored.
   */
  onError?: (error: unknown) => void;
}

/**
 * Creates (does not start) the adapter `[adapter] type` names.
 *
 * @param config the resolved `[adapter]` section
 * @param options where the project is, its service name, the clock, the background error sink
 * @returns the adapter; call `start()` before using it
 * @throws {UnknownAdapterError} when the type is not one of {@linkcode ADAPTER_TYPES}
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createAdapter } from "./mod.ts";
 * const adapter = await createAdapter({
 *   type: "memory", buffer_size: 1000, max_attempts: 5, backoff_ms: 500,
 *   max_backoff_ms: 60000, settings: {},
 * });
 * assertEquals(adapter.type, "memory");
 * await adapter.close();
 * ```
 */
export function createAdapter(
  config: AdapterSection,
  options: CreateAdapterOptions = {},
): Promise<Adapter> {
  const broker = {
    ...optional("service", options.service),
    ...optional("onError", options.onError),
  };
  switch (config.type) {
    case "memory":
      return Promise.resolve(createMemoryAdapter({
        bufferSize: config.buffer_size,
        ...optional("clock", options.clock),
        ...optional("idempotencyWindowMs", numberSetting(config, "idempotency_window_ms")),
        ...optional("idempotencyMaxKeys", numberSetting(config, "idempotency_max_keys")),
        ...optional("onHandlerError", options.onError),
      }));
    case "rocksdb":
      return importOnDemand<typeof import("./rocksdb/mod.ts")>("./rocksdb/mod.ts", import.meta.url)
        .then((m) => m.fromSettings(config.settings, options));
    case "denokv":
      return import("./denokv/mod.ts").then((m) => m.fromSettings(config.settings, options));
    case "nats":
      return importOnDemand<typeof import("./nats/mod.ts")>("./nats/mod.ts", import.meta.url).then((
        m,
      ) => m.createNatsAdapter(config.settings, broker));
    case "rabbitmq":
      return importOnDemand<typeof import("./rabbitmq/mod.ts")>(
        "./rabbitmq/mod.ts",
        import.meta.url,
      ).then((m) => m.createRabbitmqAdapter(config.settings, broker));
    case "kafka":
      return importOnDemand<typeof import("./kafka/mod.ts")>("./kafka/mod.ts", import.meta.url)
        .then((m) => m.createKafkaAdapter(config.settings, broker));
    case "sqs":
      return importOnDemand<typeof import("./sqs/mod.ts")>("./sqs/mod.ts", import.meta.url).then((
        m,
      ) => m.createSqsAdapter(config.settings, broker));
    case "aws":
      return importOnDemand<typeof import("./sqs/mod.ts")>("./sqs/mod.ts", import.meta.url).then((
        m,
      ) => m.createAwsAdapter(config.settings, broker));
    default:
      return Promise.reject(new UnknownAdapterError(config.type, ADAPTER_TYPES));
  }
}

function numberSetting(config: AdapterSection, key: string): number | undefined {
  const value = config.settings[key];
  return typeof value === "number" ? value : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : { [key]: value } as { [P in K]: V };
}
