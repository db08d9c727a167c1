/**
 * The event adapter boundary (docs/design.md#d9-event-delivery). Every broker implements {@linkcode
 * Adapter}; the engine's event bus holds the delivery policy (retry schedule with backoff and
 * jitter, dead-lettering, `NonRetriableError`), adapters hold the mechanism (how a message is
 * stored, redelivered after a delay, acknowledged, dead-lettered and replayed). One conformance
 * suite (`conformance.ts`) runs against every implementation.
 *
 * @module
 */

/** Metadata every published event carries. */
export interface EnvelopeMetadata {
  /** The trace id of the event's own delivery trace. */
  trace_id: string;
  /** The trace id of the cause (API request, cron run, event delivery, socket message). */
  parent_id: string | null;
  /** What published it, for example `api:CreateUser`, `cron:DailyCleanup`, `event:UserCreated`. */
  source: string;
  /** 1 on first delivery, incremented by each retry. */
  attempt: number;
  /** Publishes with the same key inside the adapter's window are delivered once. */
  idempotency_key?: string;
  /**
   * The W3C `traceparent` of the cause's OpenTelemetry span, when one recorded it: the delivery's
   * span becomes its child even when another process handles it.
   */
  traceparent?: string;
}

/** An event as it travels through a broker. `timestamp` is ISO 8601 (publish time). */
export interface EventEnvelope {
  /** Unique per published event (a UUID); kept across retries and replays. */
  id: string;
  /** The event name, for example `UserCreated`. */
  topic: string;
  /** The event's payload, any JSON value. */
  payload: unknown;
  /** When it was published, ISO 8601. */
  timestamp: string;
  /** Trace links, source, attempt and idempotency key. */
  metadata: EnvelopeMetadata;
}

/** One delivery of an envelope to one consumer group. Exactly one of the settle calls is made. */
export interface Delivery {
  /** The delivered event; `metadata.attempt` counts this delivery. */
  readonly envelope: EventEnvelope;
  /** The handler succeeded: remove the message for this group. */
  ack(): Promise<void>;
  /** The handler failed: deliver again to this group after `delayMs`, with `attempt + 1`. */
  retry(delayMs: number, error: string): Promise<void>;
  /** The handler failed for good: move the message to `<topic>.dlq` for this group. */
  deadLetter(error: string): Promise<void>;
}

/** Called for each delivery; it must settle the delivery (ack, retry or deadLetter). */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

/** A live subscription; closing it stops new deliveries and waits for in-flight ones. */
export interface Subscription {
  /** The subscribed topic. */
  readonly topic: string;
  /** The consumer group, `<project name>.<handler entry>`. */
  readonly group: string;
  /** Stops new deliveries and resolves once the in-flight ones settled. */
  close(): Promise<void>;
}

/** Options of {@linkcode Adapter.subscribe}. */
export interface SubscribeOptions {
  /** Deliveries handled at once by this subscriber. Default 1, which keeps per-topic order. */
  concurrency?: number;
  /**
   * The group lives only while its subscribers do (a per-process group, such as the WebSocket
   * fan-out's `<project>.__sockets.<instance id>`, whose name never comes back once the process is
   * gone). The broker removes the group and what it holds when its subscription or the adapter
   * closes, and within a bounded time when the process dies without closing (kill -9): each
   * adapter's README states the bound and the setting that sets it (`transient_expiry_ms` on
   * RabbitMQ, NATS and SQS). What such a group holds is lost with it: no redelivery after a
   * restart, no dead letter to replay once the group is gone. Subscribers that share one transient
   * group (the isolates of one process) close together.
   *
   * A hint: an adapter written without it subscribes an ordinary group, which then outlives the
   * process as every group does. Default false.
   *
   * @example
   * ```ts
   * import { createMemoryAdapter } from "./mod.ts";
   * const adapter = createMemoryAdapter();
   * await adapter.start();
   * const subscription = await adapter.subscribe("Ping", "app.__sockets.web-1", async (d) => {
   *   await d.ack();
   * }, { transient: true });
   * await subscription.close(); // the group and anything it held are gone
   * await adapter.close();
   * ```
   */
  transient?: boolean;
}

/**
 * The group of a publish's dead letter (`*`, which no consumer group is named): the engine
 * dead-letters an event it could not publish at all (a delayed publish the schema refused when it
 * came due), and a replay publishes it again to every group of its topic, as the first publish
 * would have.
 */
export const PUBLISH_GROUP = "*";

/** A message that exhausted its retries (or failed with `NonRetriableError`). */
export interface DeadLetter {
  /** The event as it was last delivered. */
  envelope: EventEnvelope;
  /**
   * The consumer group whose handler failed; a replay goes to it alone. {@linkcode PUBLISH_GROUP}
   * for a publish that failed: a replay publishes it to every group.
   */
  group: string;
  /** The last error. */
  error: string;
  /** ISO 8601. */
  failed_at: string;
}

/** Which dead letters to replay: all of a topic, or only these envelope ids. */
export interface ReplayOptions {
  /** Only the dead letters of these envelope ids. Default: all of the topic. */
  ids?: string[];
}

/** What an adapter promises, stated in its documentation and checked by the conformance suite. */
export interface AdapterGuarantees {
  /** Messages survive a crash of the engine once `publish` resolved. */
  durable: boolean;
  /** Order kept per topic for one group at concurrency 1. */
  orderedPerTopic: boolean;
  /** Idempotency keys are stored and duplicates dropped. */
  deduplicates: boolean;
  /**
   * At any concurrency, a group's messages are handed to its handler in queue order, each in the
   * same turn as the one before it when several are ready: a caller that keeps the order of the
   * calls it makes (a runtime's sequence) can then take several at once and still handle them in
   * order. Absent: not promised.
   */
  handsOutInOrder?: boolean;
}

/** A broker behind the event bus. */
export interface Adapter {
  /** The config name: `memory`, `rocksdb`, `denokv`, `nats`, `rabbitmq`, `kafka`, `sqs`, `aws`. */
  readonly type: string;
  /** What it promises; its README says the same in words. */
  readonly guarantees: AdapterGuarantees;
  /** Connects; rejects with an error naming the address and setting when the broker is unreachable. */
  start(): Promise<void>;
  /** Resolves once the broker accepted the event (confirmed, durable where the adapter is). */
  publish(envelope: EventEnvelope): Promise<void>;
  /**
   * Optional: publishes several envelopes as one write, in their order, each as `publish` would
   * (one whose idempotency key was already claimed, also earlier in the batch, is skipped). Resolves
   * once every one is accepted; a rejection means none was. An adapter whose every publish waits
   * for a disk sync offers it so that a handler's series of events shares one wait (rocksdb: one
   * synced write batch); without it the engine publishes a series one event after another.
   */
  publishBatch?(envelopes: readonly EventEnvelope[]): Promise<void>;
  /** Subscribes one consumer group to a topic; competing consumers share a group's messages. */
  subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  /** Lists dead letters, newest first, optionally of one topic. */
  listDeadLetters(topic?: string): Promise<DeadLetter[]>;
  /**
   * Re-publishes dead letters of a topic to their group with `attempt` reset; returns how many. A
   * dead letter of {@linkcode PUBLISH_GROUP} is published as `publish` publishes (to every group,
   * its idempotency key kept).
   */
  replayDeadLetters(topic: string, options?: ReplayOptions): Promise<number>;
  /**
   * Dead-letters an envelope for one consumer group outside a delivery, stored as
   * {@linkcode Delivery.deadLetter} stores one: listed by `listDeadLetters` with the group, the
   * error and `metadata.attempt` as given, replayed to that group alone. The engine calls it when a
   * run it held itself failed for good: a debounced burst, a delivery held for a handler's `delay`
   * (the broker had forgotten them once the engine stored them), or a delayed publish the schema
   * refused when it came due (group {@linkcode PUBLISH_GROUP}). Resolves once stored, durably where
   * the adapter is durable.
   *
   * Optional so that adapters written before it still compile; every built-in adapter has it.
   * Without it, the engine logs such an event as dropped (adapters/README.md).
   */
  deadLetter?(envelope: EventEnvelope, group: string, error: string): Promise<void>;
  /**
   * Optional: events published to topics no consumer group subscribed to, oldest first, optionally
   * of one topic (kept for visibility; the memory adapter has it).
   */
  listUnhandled?(topic?: string): Promise<EventEnvelope[]>;
  /**
   * Optional, for adapters that hold accepted events only in this process (memory): waits until
   * every accepted event of a consumed group was handled for good, or `timeoutMs` passed, and
   * resolves with how many are still held. A shutdown calls it before closing, and again with 0
   * once everything stopped to count what is lost. Durable adapters leave it out: what they hold
   * survives the process.
   */
  drain?(timeoutMs: number): Promise<number>;
  /** Stops subscriptions, waits for in-flight deliveries, disconnects. */
  close(): Promise<void>;
}
