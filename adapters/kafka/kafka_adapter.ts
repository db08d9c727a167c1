/**
 * The `kafka` adapter (README.md states the guarantees): an idempotent producer with `acks = -1`,
 * a consumer group per (topic, handler group) committing after success, a retry topic per group
 * whose messages carry their due time, and a compacted dead-letter topic per service.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import type { Admin, Message, Producer } from "kafkajs";
import { Buffer } from "node:buffer";
import {
  type Adapter,
  type AdapterGuarantees,
  type DeadLetter,
  type DeliveryHandler,
  type EventEnvelope,
  PUBLISH_GROUP,
  type ReplayOptions,
  type SubscribeOptions,
  type Subscription,
} from "../adapter.ts";
import {
  type BrokerAdapterOptions,
  BrokerError,
  BrokerLifecycle,
  BrokerUnreachableError,
  deadLetterOf,
  readSettings,
  resolveBrokerOptions,
  type ResolvedBrokerOptions,
  retryWithBackoff,
  subjectToken,
  withAttempt,
} from "../_support/mod.ts";
import { KafkaSubscription, whileTransient } from "./_subscription.ts";
import { deadLetterKey, DeadLetterReader } from "./_dead_letters.ts";

/** Options of {@linkcode createKafkaAdapter}. */
export type KafkaAdapterOptions = BrokerAdapterOptions;

/** Resolved settings of the Kafka adapter. */
export interface KafkaSettings {
  brokers: string[];
  brokersSource: string;
  clientId: string;
  prefix: string;
  partitions: number;
  replicationFactor: number;
  publishTimeoutMs: number;
}

/** The header holding a retry's due time (epoch milliseconds). */
export const DUE_HEADER = "rohas-due";

/**
 * Creates a Kafka adapter from `[adapter]` settings: `brokers` (`ROHAS_KAFKA_BROKERS`, a list or
 * comma-separated, default `127.0.0.1:9092`), `client_id` (`rohas-<service>`), `partitions` per
 * created topic (1), `replication_factor` (-1: the broker's default), `publish_timeout_ms` (30000).
 *
 * @param settings the raw `[adapter]` table
 * @param options environment, service name, background error sink
 * @returns the adapter, not yet started
 *
 * @example Configure without connecting (start() connects)
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { createKafkaAdapter } from "./mod.ts";
 * const adapter = createKafkaAdapter({ brokers: "127.0.0.1:9092", partitions: 3 }, {
 *   service: "shop",
 *   env: {},
 * });
 * // Order holds per topic only with one partition.
 * assert(adapter.type === "kafka" && !adapter.guarantees.orderedPerTopic);
 * await adapter.close();
 * ```
 */
export function createKafkaAdapter(
  settings: Readonly<Record<string, unknown>>,
  options: KafkaAdapterOptions = {},
): Adapter {
  const resolved = resolveBrokerOptions(options);
  const read = readSettings("kafka", settings, resolved.env);
  const service = subjectToken(resolved.service);
  return new KafkaAdapter({
    brokers: read.string("brokers", "ROHAS_KAFKA_BROKERS", "127.0.0.1:9092").split(",")
      .map((broker) => broker.trim()).filter((broker) => broker !== ""),
    brokersSource: read.source("brokers", "ROHAS_KAFKA_BROKERS"),
    clientId: read.string("client_id", null, `rohas-${service}`),
    prefix: `rohas.${service}`,
    partitions: read.number("partitions", null, 1),
    replicationFactor: read.number("replication_factor", null, -1) || -1,
    publishTimeoutMs: read.number("publish_timeout_ms", null, 30_000),
  }, resolved);
}

/** What subscriptions and the dead-letter reader need from the adapter. */
export interface KafkaContext {
  readonly kafka: Kafka;
  readonly settings: KafkaSettings;
  readonly admin: Admin;
  topicName(topic: string): string;
  retryTopic(topic: string, group: string): string;
  readonly deadLetterTopic: string;
  ensureTopics(names: string[], compacted?: boolean): Promise<void>;
  /** Stores the dead letter of an envelope for a group in the dead-letter topic. */
  deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void>;
  send(
    topic: string,
    key: string,
    value: Buffer | null,
    headers?: Record<string, string>,
  ): Promise<void>;
  onError(error: unknown): void;
}

class KafkaAdapter implements Adapter {
  readonly type = "kafka";
  readonly guarantees: AdapterGuarantees;
  readonly #settings: KafkaSettings;
  readonly #onError: (error: unknown) => void;
  readonly #kafka: Kafka;
  readonly #lifecycle: BrokerLifecycle<KafkaSubscription>;
  readonly #topics = new Set<string>();
  #clients: { admin: Admin; producer: Producer; context: KafkaContext } | null = null;
  #deadLetters: DeadLetterReader | null = null;
  #outbox: {
    topic: string;
    message: Message;
    done: () => void;
    failed: (error: unknown) => void;
  }[] = [];
  #sending: Promise<void> | null = null;

  constructor(settings: KafkaSettings, options: ResolvedBrokerOptions) {
    this.#settings = settings;
    this.#onError = options.onError;
    this.#lifecycle = new BrokerLifecycle("kafka");
    this.guarantees = Object.freeze({
      durable: true,
      orderedPerTopic: settings.partitions === 1,
      deduplicates: false,
    });
    this.#kafka = new Kafka({
      clientId: settings.clientId,
      brokers: settings.brokers,
      connectionTimeout: 3000,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 8 },
      logLevel: logLevel.NOTHING,
    });
  }

  async start(): Promise<void> {
    this.#lifecycle.assertOpen("start");
    if (this.#clients) return;
    const admin = this.#kafka.admin();
    const producer = this.#kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await probe(this.#settings);
      await admin.connect();
      await admin.describeCluster();
      await producer.connect();
    } catch (cause) {
      await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
      throw new BrokerUnreachableError("kafka", this.#settings.brokers.join(","), {
        setting: this.#settings.brokersSource,
        hint: "start it with scripts/brokers/start.sh kafka",
        cause,
      });
    }
    this.#clients = { admin, producer, context: this.#context(admin, producer) };
  }

  async publish(envelope: EventEnvelope): Promise<void> {
    const context = this.#live(`publish to "${envelope.topic}"`);
    const topic = context.topicName(envelope.topic);
    await context.ensureTopics([topic]);
    const key = envelope.metadata.idempotency_key ?? envelope.id;
    await context.send(topic, key, Buffer.from(JSON.stringify(envelope)));
  }

  async subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const context = this.#live(`subscribe to "${topic}"`);
    const subscription = new KafkaSubscription(context, {
      topic,
      group,
      groupId: `${this.#settings.prefix}.${subjectToken(group)}.${subjectToken(topic)}`,
      handler,
      concurrency: Math.max(1, options.concurrency ?? 1),
      transient: options.transient === true,
      onClosed: (closed) => this.#lifecycle.forget(closed),
    });
    this.#lifecycle.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      await subscription.close();
      throw error;
    }
    return subscription;
  }

  async listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    const letters = await (await this.#reader("list dead letters")).current();
    return letters.filter((letter) => topic === undefined || letter.envelope.topic === topic);
  }

  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    const reader = await this.#reader(`replay dead letters of "${topic}"`);
    const context = this.#live(`replay dead letters of "${topic}"`);
    const wanted = options.ids ? new Set(options.ids) : null;
    let count = 0;
    for (const letter of await reader.current()) {
      if (letter.envelope.topic !== topic) continue;
      if (wanted && !wanted.has(letter.envelope.id)) continue;
      const envelope = withAttempt(letter.envelope, 1);
      if (letter.group === PUBLISH_GROUP) await this.publish(envelope);
      else {
        const retryTopic = context.retryTopic(topic, letter.group);
        await context.ensureTopics([retryTopic]);
        await context.send(retryTopic, envelope.id, Buffer.from(JSON.stringify(envelope)), {
          [DUE_HEADER]: "0",
        });
      }
      const key = deadLetterKey(letter);
      await context.send(context.deadLetterTopic, key, null);
      reader.forget(key);
      count++;
    }
    return count;
  }

  async deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    await this.#live(`dead-letter "${envelope.topic}"`).deadLetter(envelope, group, error);
  }

  async close(): Promise<void> {
    if (!(await this.#lifecycle.close())) return;
    await this.#deadLetters?.close();
    await this.#sending;
    const clients = this.#clients;
    this.#clients = null;
    if (clients) {
      await Promise.allSettled([clients.producer.disconnect(), clients.admin.disconnect()]);
    }
  }

  async #reader(action: string): Promise<DeadLetterReader> {
    const context = this.#live(action);
    if (!this.#deadLetters) {
      await context.ensureTopics([context.deadLetterTopic], true);
      this.#deadLetters = new DeadLetterReader(context);
    }
    return this.#deadLetters;
  }

  #context(admin: Admin, producer: Producer): KafkaContext {
    const settings = this.#settings;
    const deadLetterTopic = `${settings.prefix}.dlq`;
    return {
      kafka: this.#kafka,
      settings,
      admin,
      topicName: (topic) => `${settings.prefix}.${subjectToken(topic)}`,
      retryTopic: (topic, group) =>
        `${settings.prefix}.${subjectToken(topic)}.retry.${subjectToken(group)}`,
      deadLetterTopic,
      ensureTopics: (names, compacted) => this.#ensureTopics(admin, names, compacted ?? false),
      send: (topic, key, value, headers) => this.#send(producer, topic, key, value, headers),
      deadLetter: async (envelope, group, error) => {
        // A subscription ensured it already; an engine dead-lettering a held run may not have.
        await this.#ensureTopics(admin, [deadLetterTopic], true);
        const letter = deadLetterOf(envelope, { group, error });
        const value = Buffer.from(JSON.stringify(letter));
        await this.#send(producer, deadLetterTopic, deadLetterKey(letter), value);
      },
      onError: this.#onError,
    };
  }

  async #ensureTopics(admin: Admin, names: string[], compacted: boolean): Promise<void> {
    const missing = names.filter((name) => !this.#topics.has(name));
    if (missing.length === 0) return;
    const configEntries = compacted ? [{ name: "cleanup.policy", value: "compact" }] : [];
    await this.#retrying(`create Kafka topics ${missing.join(", ")}`, () =>
      admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: compacted ? 1 : this.#settings.partitions,
          replicationFactor: this.#settings.replicationFactor,
          configEntries,
        })),
      }));
    // Another process may have created them a moment ago, in which case createTopics did not wait
    // for their leaders: a consumer joining now is told "This server does not host this
    // topic-partition". Wait until the broker's metadata has a leader for every partition.
    await whileTransient(() => leadersKnown(admin, missing));
    for (const name of missing) this.#topics.add(name);
  }

  /** Queues a message; messages queued while a send is in flight go out together. */
  #send(
    producer: Producer,
    topic: string,
    key: string,
    value: Buffer | null,
    headers: Record<string, string> = {},
  ): Promise<void> {
    return new Promise((done, failed) => {
      this.#outbox.push({ topic, message: { key, value, headers }, done, failed });
      this.#sending ??= this.#flush(producer);
    });
  }

  async #flush(producer: Producer): Promise<void> {
    try {
      await this.#drain(producer);
    } finally {
      this.#sending = null;
      // A message queued while this flush was finishing starts the next one.
      if (this.#outbox.length > 0) this.#sending = this.#flush(producer);
    }
  }

  async #drain(producer: Producer): Promise<void> {
    while (this.#outbox.length > 0) {
      const batch = this.#outbox.splice(0, 1000);
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of batch) {
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      }
      const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      const names = [...byTopic.keys()].map((name) => `"${name}"`).join(", ");
      try {
        await this.#retrying(
          `publish to Kafka topic ${names}`,
          () => producer.sendBatch({ acks: -1, topicMessages }),
        );
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
  }

  async #retrying<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await retryWithBackoff(run, {
        deadlineMs: this.#settings.publishTimeoutMs,
        stop: () => this.#lifecycle.closed,
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new BrokerError(`Cannot ${action}: ${detail}`, { cause: error });
    }
  }

  #live(action: string): KafkaContext {
    return this.#lifecycle.live(this.#clients, action).context;
  }
}

/** One quick connection attempt, so that an unreachable broker fails start-up at once. */
async function probe(settings: KafkaSettings): Promise<void> {
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once every partition of the topics has a leader; else rejects with a retriable error. */
async function leadersKnown(admin: Admin, topics: string[]): Promise<void> {
  const { topics: known } = await admin.fetchTopicMetadata({ topics });
  const led = known.length === topics.length &&
    known.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
  if (led) return;
  throw Object.assign(new Error(`Kafka topics ${topics.join(", ")} have no leader yet`), {
    retriable: true,
  });
}
