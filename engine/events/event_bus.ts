/**
 * The event bus: publishes envelopes (docs/design.md#d9-event-delivery) through an {@linkcode
 * Adapter} and holds the delivery policy every adapter shares. The bus knows nothing of handlers or
 * runtimes; the engine subscribes one function per event handler, in the handler's own consumer
 * group.
 *
 * Policy for one delivery: the handler resolves → ack. It throws an error named
 * `NonRetriableError` → dead-letter at once. It throws one named `CallAbandonedError` (the runtime
 * dropped the call before it started, as a subscription closed) → left unsettled, so the adapter
 * hands it out again (the memory adapter at the front of its queue), its attempt not counted. It
 * throws anything else → retry after {@linkcode retryDelay} while `attempt < maxAttempts`, else
 * dead-letter with the last error message.
 *
 * @module
 */

import type {
  Adapter,
  DeadLetter,
  Delivery,
  EnvelopeMetadata,
  EventEnvelope,
  ReplayOptions,
  Subscription,
} from "../../adapters/mod.ts";
import { isoTime, type MetricSample } from "../../telemetry/mod.ts";
import { EventBusClosedError, InvalidEventPayloadError, type RefusedLetter } from "./errors.ts";
import { describeIssues, type PayloadCheck } from "./payload_check.ts";
import {
  checkRetryPolicy,
  DEFAULT_RETRY_POLICY,
  retryDelay,
  type RetryPolicy,
} from "./retry_policy.ts";

/** Handles one event; throwing fails the delivery. */
export type EventHandler = (envelope: EventEnvelope) => Promise<void>;

/** Options of {@linkcode EventBus.publish}. */
export interface PublishOptions {
  /** The trace id of the cause, or null. */
  parentId: string | null;
  /** `api:<Name>`, `event:<Name>`, `cron:<Name>`, `ws:<Name>` or `workbench`. */
  source: string;
  /** Publishes with the same key inside the adapter's window are delivered once. Default none. */
  idempotencyKey?: string;
  /** The W3C `traceparent` of the cause's OpenTelemetry span, when one records it. */
  traceparent?: string | undefined;
}

/** One event of a series ({@linkcode EventBus.publishSeries}). */
export interface BusSeriesItem {
  topic: string;
  payload: unknown;
  options: PublishOptions;
}

/** How a series went: each accepted event's `[start, duration]` (ms), and why the next failed. */
export interface BusSeriesOutcome {
  accepted: [number, number][];
  error?: unknown;
}

/** Options of {@linkcode EventBus.subscribe}. */
export interface BusSubscribeOptions {
  /** Deliveries handled at once. Default 1, which keeps per-topic order. */
  concurrency?: number;
  /** The group lives only while its subscribers do (adapters/adapter.ts `SubscribeOptions`). */
  transient?: boolean;
  /**
   * Told of each delivery that failed for good, once the adapter stored its dead letter: what
   * counts handled deliveries (`Engine.idle()`) counts it here, so a dead letter is listed as soon
   * as its delivery counts as handled, even where the adapter writes it to disk.
   */
  onDeadLettered?: (envelope: EventEnvelope) => void;
}

/** The per-topic counters the bus reports. */
export const BUS_METRICS: Readonly<{
  published: "rohas_events_published_total";
  delivered: "rohas_events_delivered_total";
  retried: "rohas_events_retried_total";
  deadLettered: "rohas_events_dead_lettered_total";
}> = Object.freeze(
  {
    published: "rohas_events_published_total",
    delivered: "rohas_events_delivered_total",
    retried: "rohas_events_retried_total",
    deadLettered: "rohas_events_dead_lettered_total",
  } as const,
);

/** Options of {@linkcode EventBus}. */
export interface EventBusOptions {
  /** Retry schedule. Default {@linkcode DEFAULT_RETRY_POLICY} (`[adapter]` defaults). */
  retry?: Partial<RetryPolicy>;
  /** Uniform random numbers in `[0, 1)` for jitter. Default `Math.random`. */
  random?: () => number;
  /** Current time, for envelope timestamps and metric samples. Default `() => new Date()`. */
  now?: () => Date;
  /** New ids for envelopes and trace ids. Default `crypto.randomUUID`. */
  newId?: () => string;
  /**
   * Receives a counter sample (value 1) per event published (label `topic`), delivered, retried
   * and dead-lettered (labels `topic`, `group`); names in {@linkcode BUS_METRICS}. Default none.
   */
  onMetric?: (sample: MetricSample) => void;
  /** Checks payloads on publish and replay (see {@linkcode EventBus.checkPayloads}). Default none. */
  checkPayloads?: PayloadCheck;
}

/**
 * Publishes and subscribes events with the D9 delivery policy. The bus owns its adapter:
 * {@linkcode EventBus.start} starts it and {@linkcode EventBus.close} closes it.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createMemoryAdapter } from "../../adapters/memory/mod.ts";
 * import { EventBus } from "./event_bus.ts";
 * const bus = new EventBus(createMemoryAdapter());
 * await bus.start();
 * const got = Promise.withResolvers<unknown>();
 * await bus.subscribe("UserCreated", "app.send_welcome", async (event) => {
 *   got.resolve(event.payload);
 * });
 * await bus.publish("UserCreated", { id: 1 }, { parentId: null, source: "api:CreateUser" });
 * assertEquals((await got.promise as { id: number }).id, 1);
 * await bus.close();
 * ```
 */
export class EventBus {
  readonly #adapter: Adapter;
  readonly #policy: RetryPolicy;
  readonly #random: () => number;
  /** ISO text of now: {@linkcode isoTime} (one string per millisecond) unless a clock is given. */
  readonly #stamp: () => string;
  readonly #newId: () => string;
  readonly #onMetric: (sample: MetricSample) => void;
  readonly #subscriptions = new Set<Subscription>();
  /**
   * The frozen `{ topic }` label set of each topic's published counter: the metrics registry finds
   * a frozen label set's series by identity, without building its key text per event.
   */
  readonly #topicLabels = new Map<string, Record<string, string>>();
  #check: PayloadCheck | null;
  #closed = false;
  /**
   * Publishes a series of events in one write of the adapter's (`Adapter.publishBatch`), in order:
   * the payloads are checked first, the events before a refused one are published, and the refusal
   * is the outcome's error; a failed write accepts none. Present only when the adapter writes
   * batches: otherwise a series goes one {@linkcode EventBus.publish} after another.
   */
  readonly publishSeries?: (items: readonly BusSeriesItem[]) => Promise<BusSeriesOutcome>;

  /** Creates a bus over an adapter (not started).
   *
   * @param adapter the broker
   * @param options retry policy, clock, ids, metrics
   */
  constructor(adapter: Adapter, options: EventBusOptions = {}) {
    this.#adapter = adapter;
    this.#policy = checkRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.retry });
    this.#random = options.random ?? Math.random;
    const now = options.now;
    this.#stamp = now === undefined ? () => isoTime(Date.now()) : () => now().toISOString();
    this.#newId = options.newId ?? (() => crypto.randomUUID());
    this.#onMetric = options.onMetric ?? (() => {});
    this.#check = options.checkPayloads ?? null;
    const batch = adapter.publishBatch?.bind(adapter);
    if (batch !== undefined) this.publishSeries = (items) => this.#publishBatch(batch, items);
  }

  /**
   * Sets how payloads are checked from now on (the engine sets its model's check at start and on
   * each schema swap): a publish or replay whose payload fails is refused with
   * {@linkcode InvalidEventPayloadError} before the adapter sees it. Null checks nothing.
   *
   * @param check the check of the current model's events
   */
  checkPayloads(check: PayloadCheck | null): void {
    this.#check = check;
  }

  /** The adapter's type, for start-up messages. */
  get adapterType(): string {
    return this.#adapter.type;
  }

  /** Whether the adapter hands a group's messages out in order at any concurrency. */
  get handsOutInOrder(): boolean {
    return this.#adapter.guarantees.handsOutInOrder === true;
  }

  /** The retry policy in force. */
  get retryPolicy(): Readonly<RetryPolicy> {
    return { ...this.#policy };
  }

  /** Starts the adapter. */
  start(): Promise<void> {
    return this.#adapter.start();
  }

  /**
   * Publishes an event; resolves once the adapter accepted it.
   *
   * @param topic the event name
   * @param payload any JSON value (`undefined` becomes `null`)
   * @param options cause, source and idempotency key
   * @returns the envelope as published; `metadata.trace_id` is the id its delivery traces use
   */
  async publish(topic: string, payload: unknown, options: PublishOptions): Promise<EventEnvelope> {
    if (this.#closed) throw new EventBusClosedError(`publish to "${topic}"`);
    const refusal = this.#check?.(topic, payload === undefined ? null : payload);
    if (refusal) {
      const { payloadType, issues } = refusal;
      throw InvalidEventPayloadError.ofPublish({ event: topic, payloadType, details: issues });
    }
    const envelope = this.#envelope(topic, payload, options, this.#stamp());
    await this.#adapter.publish(envelope);
    // Counted at the envelope's time: one clock read per publish.
    this.#count(BUS_METRICS.published, this.#labelsOf(topic), envelope.timestamp);
    return envelope;
  }

  async #publishBatch(
    batch: NonNullable<Adapter["publishBatch"]>,
    items: readonly BusSeriesItem[],
  ): Promise<BusSeriesOutcome> {
    if (this.#closed) return { accepted: [], error: new EventBusClosedError("publish a series") };
    const envelopes: EventEnvelope[] = [];
    let refused: InvalidEventPayloadError | undefined;
    // A series is published at one time: one clock read for its envelopes, one for its counts
    // (a clock read costs 100-250 ns on some virtual machines; BENCHMARKS.md).
    const stamp = this.#stamp();
    for (const { topic, payload, options } of items) {
      const refusal = this.#check?.(topic, payload === undefined ? null : payload);
      if (refusal) {
        const { payloadType, issues } = refusal;
        refused = InvalidEventPayloadError.ofPublish({
          event: topic,
          payloadType,
          details: issues,
        });
        break;
      }
      envelopes.push(this.#envelope(topic, payload, options, stamp));
    }
    const at = Date.now();
    const started = performance.now();
    try {
      await batch(envelopes);
    } catch (error) {
      return { accepted: [], error };
    }
    const durationMs = performance.now() - started;
    const counted = this.#stamp();
    for (const envelope of envelopes) {
      this.#count(BUS_METRICS.published, this.#labelsOf(envelope.topic), counted);
    }
    const accepted = envelopes.map((): [number, number] => [at, durationMs]);
    return refused === undefined ? { accepted } : { accepted, error: refused };
  }

  /**
   * Subscribes a handler as one consumer group of a topic, under the bus's delivery policy.
   *
   * @param topic the event name
   * @param group the consumer group, `<project>.<handler>` for event handlers
   * @param handler called once per delivery; throwing fails it
   * @param options concurrency, and whether the group is transient
   * @returns the subscription; closing it waits for in-flight deliveries
   */
  async subscribe(
    topic: string,
    group: string,
    handler: EventHandler,
    options: BusSubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.#closed) throw new EventBusClosedError(`subscribe to "${topic}"`);
    const labels = Object.freeze({ topic, group });
    const { onDeadLettered, ...adapterOptions } = options;
    const inner = await this.#adapter.subscribe(
      topic,
      group,
      (delivery) => this.#deliver(delivery, { labels, handler, onDeadLettered }),
      adapterOptions,
    );
    const subscriptions = this.#subscriptions;
    const subscription: Subscription = {
      topic,
      group,
      close: () => {
        subscriptions.delete(subscription);
        return inner.close();
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  /** Dead letters, newest first, optionally of one topic. */
  listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    return this.#adapter.listDeadLetters(topic);
  }

  /**
   * Dead-letters an envelope for one consumer group outside a delivery, when a run the engine held
   * itself (a debounced burst, a delivery held for a handler's `delay`) failed for good; counted
   * like a delivery's dead letter (`rohas_events_dead_lettered_total`, labels `topic`, `group`).
   *
   * @param envelope the event as last run, its `metadata.attempt` the runs it had
   * @param group the handler's consumer group, which a replay goes to
   * @param error the last error (its message is stored)
   * @returns false when the adapter has no `deadLetter` (one written before it): nothing stored
   * @throws what the adapter throws when it cannot store it now (the caller tries again later)
   */
  async deadLetter(envelope: EventEnvelope, group: string, error: unknown): Promise<boolean> {
    if (this.#adapter.deadLetter === undefined) return false;
    await this.#adapter.deadLetter(envelope, group, errorMessage(error));
    this.#count(BUS_METRICS.deadLettered, { topic: envelope.topic, group });
    return true;
  }

  /**
   * Re-delivers dead letters of a topic (all, or those ids) to their groups; returns how many.
   * Their payloads are checked first: when any fails, nothing is replayed.
   *
   * @param topic the event name
   * @param options which dead letters (default all of the topic)
   * @returns how many were replayed
   * @throws {InvalidEventPayloadError} listing each refused dead letter's id and issues
   */
  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    if (this.#check) await this.#checkReplay(topic, options, this.#check);
    return await this.#adapter.replayDeadLetters(topic, options);
  }

  async #checkReplay(topic: string, options: ReplayOptions, check: PayloadCheck): Promise<void> {
    const wanted = options.ids ? new Set(options.ids) : null;
    const refused: RefusedLetter[] = [];
    let payloadType = "";
    for (const { envelope } of await this.#adapter.listDeadLetters(topic)) {
      if (envelope.topic !== topic || (wanted && !wanted.has(envelope.id))) continue;
      const refusal = check(topic, envelope.payload);
      if (!refusal) continue;
      payloadType = refusal.payloadType;
      refused.push({ id: envelope.id, issues: refusal.issues });
    }
    if (refused.length === 0) return;
    const letters = refused.length === 1 ? "1 dead letter" : `${refused.length} dead letters`;
    const each = refused.slice(0, 3).map((r) => `id ${r.id}: ${describeIssues(r.issues, 2)}`);
    const more = refused.length > 3 ? `; and ${refused.length - 3} more` : "";
    throw new InvalidEventPayloadError(
      `Cannot replay dead letters of "${topic}": the payload of ${letters} does not match ` +
        `${payloadType}, so nothing was replayed (replay the others by id): ${
          each.join("; ")
        }${more}`,
      { event: topic, payloadType, details: refused },
    );
  }

  /** Events published to topics nobody subscribed to, where the adapter keeps them; else none. */
  listUnhandled(topic?: string): Promise<EventEnvelope[]> {
    return this.#adapter.listUnhandled?.(topic) ?? Promise.resolve([]);
  }

  /**
   * Waits until the events the adapter holds in this process were handled for good, or
   * `timeoutMs` passed (see {@linkcode Adapter.drain}); callable after {@linkcode EventBus.close}.
   *
   * @param timeoutMs how long to wait; 0 only counts
   * @returns how many accepted events are still held here; 0 for a durable adapter, whose broker
   * keeps them
   */
  drain(timeoutMs: number): Promise<number> {
    return this.#adapter.drain?.(timeoutMs) ?? Promise.resolve(0);
  }

  /** Closes every subscription (waiting for in-flight deliveries), then the adapter. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#adapter.close();
  }

  #envelope(
    topic: string,
    payload: unknown,
    options: PublishOptions,
    timestamp: string,
  ): EventEnvelope {
    const metadata = publishedMetadata(options, this.#newId());
    return {
      id: this.#newId(),
      topic,
      payload: payload === undefined ? null : payload,
      timestamp,
      metadata,
    };
  }

  async #deliver(delivery: Delivery, to: Consumer): Promise<void> {
    try {
      await to.handler(delivery.envelope);
    } catch (error) {
      // It never ran (its runtime sequence ended): unsettled, the adapter hands it out again.
      if (isAbandoned(error)) return;
      return await this.#fail(delivery, error, to);
    }
    await delivery.ack();
    this.#count(BUS_METRICS.delivered, to.labels);
  }

  async #fail(delivery: Delivery, error: unknown, to: Consumer): Promise<void> {
    const message = errorMessage(error);
    const { labels } = to;
    const attempt = delivery.envelope.metadata.attempt;
    if (isNonRetriable(error) || attempt >= this.#policy.maxAttempts) {
      await delivery.deadLetter(message);
      this.#count(BUS_METRICS.deadLettered, labels);
      to.onDeadLettered?.(delivery.envelope);
      return;
    }
    await delivery.retry(retryDelay(attempt, this.#policy, this.#random), message);
    this.#count(BUS_METRICS.retried, labels);
  }

  #labelsOf(topic: string): Record<string, string> {
    let labels = this.#topicLabels.get(topic);
    if (labels === undefined) this.#topicLabels.set(topic, labels = Object.freeze({ topic }));
    return labels;
  }

  #count(name: string, labels: Record<string, string>, timestamp = this.#stamp()): void {
    this.#onMetric({ name, kind: "counter", value: 1, labels, timestamp });
  }
}

/** One subscription's handler, its metric labels and who is told of its dead letters. */
interface Consumer {
  labels: Record<string, string>;
  handler: EventHandler;
  onDeadLettered: ((envelope: EventEnvelope) => void) | undefined;
}

/** A call its runtime abandoned before it started (`CallAbandonedError`): it never ran. */
function isAbandoned(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { name?: unknown }).name === "CallAbandonedError";
}

/** A NonRetriableError, or a refused payload: publishing it again would be refused again. */
function isNonRetriable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === "NonRetriableError" || name === "InvalidEventPayloadError";
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/**
 * The metadata of a first publication: its cause, source, idempotency key and `traceparent` as
 * published, attempt 1. Built field by field: a spread of an empty object literal still makes
 * that object, on every publish.
 *
 * @param options how the event was published
 * @param traceId the new trace id of its deliveries
 * @returns the envelope's metadata
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { publishedMetadata } from "./event_bus.ts";
 * assertEquals(publishedMetadata({ parentId: null, source: "api:Pay" }, "t1"), {
 *   trace_id: "t1",
 *   parent_id: null,
 *   source: "api:Pay",
 *   attempt: 1,
 * });
 * ```
 */
export function publishedMetadata(options: PublishOptions, traceId: string): EnvelopeMetadata {
  const metadata: EnvelopeMetadata = {
    trace_id: traceId,
    parent_id: options.parentId,
    source: options.source,
    attempt: 1,
  };
  if (options.idempotencyKey !== undefined) metadata.idempotency_key = options.idempotencyKey;
  if (options.traceparent !== undefined) metadata.traceparent = options.traceparent;
  return metadata;
}
