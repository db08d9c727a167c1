/**
 * The `rabbitmq` adapter (README.md states the guarantees): quorum queues, publisher confirms,
 * manual acks, delayed retries through TTL buckets and a dead-letter queue. The connection recovers
 * by itself (amqplib's recovery); every (re)connect re-creates the publisher channel and each
 * subscription's consumer.
 *
 * @module
 */

import amqp from "amqplib";
import type { ChannelModel, ConfirmChannel, GetMessage, RecoveringChannelModel } from "amqplib";
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
  withAttempt,
} from "../_support/mod.ts";
import { DELAY_HEADER, Topology } from "./_topology.ts";
import { RabbitmqSubscription } from "./_subscription.ts";

/** Options of {@linkcode createRabbitmqAdapter}. */
export type RabbitmqAdapterOptions = BrokerAdapterOptions;

interface RabbitmqSettings {
  url: string;
  urlSource: string;
  publishTimeoutMs: number;
  transientExpiryMs: number;
}

const GUARANTEES: AdapterGuarantees = Object.freeze({
  durable: true,
  orderedPerTopic: true,
  deduplicates: false,
});

/**
 * Creates a RabbitMQ adapter from `[adapter]` settings: `url` (`ROHAS_AMQP_URL`, default
 * `amqp://guest:guest@127.0.0.1:5672`), `publish_timeout_ms` (30000), `transient_expiry_ms` (30000: a
 * transient group's queue's `x-expires` and `x-message-ttl`).
 *
 * @param settings the raw `[adapter]` table
 * @param options environment, service name, background error sink
 * @returns the adapter, not yet started
 *
 * @example Configure without connecting (start() connects)
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { createRabbitmqAdapter } from "./mod.ts";
 * const adapter = createRabbitmqAdapter({ url: "amqp://guest:guest@127.0.0.1:5672" }, {
 *   service: "shop",
 *   env: {},
 * });
 * assert(adapter.type === "rabbitmq" && !adapter.guarantees.deduplicates);
 * await adapter.close();
 * ```
 */
export function createRabbitmqAdapter(
  settings: Readonly<Record<string, unknown>>,
  options: RabbitmqAdapterOptions = {},
): Adapter {
  const resolved = resolveBrokerOptions(options);
  const read = readSettings("rabbitmq", settings, resolved.env);
  return new RabbitmqAdapter({
    url: read.string("url", "ROHAS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"),
    urlSource: read.source("url", "ROHAS_AMQP_URL"),
    publishTimeoutMs: read.number("publish_timeout_ms", null, 30_000),
    transientExpiryMs: read.number("transient_expiry_ms", null, 30_000),
  }, resolved);
}

/** What a subscription needs from its adapter. */
export interface RabbitmqContext {
  readonly topology: Topology;
  /** Sends to one queue and waits for the broker's confirm. */
  sendToQueue(queue: string, content: Buffer, headers?: Record<string, string>): Promise<void>;
  /** Sends to a group's queue after a delay. */
  sendDelayed(queue: string, envelope: EventEnvelope, delayMs: number): Promise<void>;
  /** Stores the dead letter of an envelope for a group in the dead-letter queue. */
  deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void>;
  /** Deletes a queue unless it has consumers; resolves either way (a lost connection dropped it). */
  deleteUnused(queue: string): Promise<void>;
  onError(error: unknown): void;
}

class RabbitmqAdapter implements Adapter {
  readonly type = "rabbitmq";
  readonly guarantees = GUARANTEES;
  readonly #settings: RabbitmqSettings;
  readonly #topology: Topology;
  readonly #onError: (error: unknown) => void;
  readonly #lifecycle: BrokerLifecycle<RabbitmqSubscription>;
  #connection: RecoveringChannelModel | null = null;
  #model: ChannelModel | null = null;
  #publisher: ConfirmChannel | null = null;

  constructor(settings: RabbitmqSettings, options: ResolvedBrokerOptions) {
    this.#settings = settings;
    this.#topology = new Topology(options.service);
    this.#onError = options.onError;
    this.#lifecycle = new BrokerLifecycle("rabbitmq");
  }

  async start(): Promise<void> {
    this.#lifecycle.assertOpen("start");
    if (this.#connection) return;
    try {
      this.#connection = await amqp.connect(this.#settings.url, {
        recovery: {
          initialMaxRetries: 0,
          maxRetries: Infinity,
          initialDelay: 100,
          maxDelay: 2000,
          setup: (model: ChannelModel) => this.#setup(model),
        },
      });
    } catch (cause) {
      throw new BrokerUnreachableError("rabbitmq", redact(this.#settings.url), {
        setting: this.#settings.urlSource,
        hint: "start it with scripts/brokers/start.sh rabbitmq",
        cause,
      });
    }
    this.#connection.on("disconnect", () => this.#disconnected());
    this.#connection.on("error", (error: Error) => this.#onError(error));
  }

  async publish(envelope: EventEnvelope): Promise<void> {
    this.#live(`publish to "${envelope.topic}"`);
    const content = Buffer.from(JSON.stringify(envelope));
    const key = this.#topology.routingKey(envelope.topic);
    await this.#confirmed(
      `publish to "${envelope.topic}"`,
      (channel, done) =>
        channel.publish(this.#topology.exchange, key, content, persistent(envelope.id), done),
    );
  }

  async subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    this.#live(`subscribe to "${topic}"`);
    const subscription = new RabbitmqSubscription(this.#context(), {
      topic,
      group,
      queue: this.#topology.queue(topic, group),
      handler,
      concurrency: Math.max(1, options.concurrency ?? 1),
      ...(options.transient ? { transientExpiryMs: this.#settings.transientExpiryMs } : {}),
      onClosed: (closed) => this.#lifecycle.forget(closed),
    });
    await this.#withModel(`subscribe to "${topic}"`, async (model) => {
      await subscription.attach(model);
    });
    this.#lifecycle.add(subscription);
    return subscription;
  }

  async listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    this.#live("list dead letters");
    return await this.#withDeadLetters((letters) => {
      const chosen = letters.filter((entry) =>
        topic === undefined || entry.letter.envelope.topic === topic
      );
      return Promise.resolve(chosen.map((entry) => entry.letter));
    });
  }

  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    this.#live(`replay dead letters of "${topic}"`);
    const wanted = options.ids ? new Set(options.ids) : null;
    return await this.#withDeadLetters(async (letters, channel) => {
      let count = 0;
      for (const { letter, message } of letters) {
        if (letter.envelope.topic !== topic) continue;
        if (wanted && !wanted.has(letter.envelope.id)) continue;
        const envelope = withAttempt(letter.envelope, 1);
        if (letter.group === PUBLISH_GROUP) await this.publish(envelope);
        else {
          await this.#context().sendToQueue(
            this.#topology.queue(topic, letter.group),
            Buffer.from(JSON.stringify(envelope)),
          );
        }
        channel.ack(message);
        count++;
      }
      return count;
    });
  }

  async deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    this.#live(`dead-letter "${envelope.topic}"`);
    await this.#context().deadLetter(envelope, group, error);
  }

  async close(): Promise<void> {
    if (!(await this.#lifecycle.close())) return;
    const connection = this.#connection;
    this.#connection = null;
    if (connection) await connection.close().catch(() => {});
  }

  async #setup(model: ChannelModel): Promise<void> {
    const publisher = await model.createConfirmChannel();
    publisher.on("error", (error: Error) => this.#onError(error));
    this.#topology.reset();
    await this.#topology.declareBase(publisher);
    this.#model = model;
    this.#publisher = publisher;
    for (const subscription of this.#lifecycle.subscriptions) await subscription.attach(model);
  }

  #disconnected(): void {
    this.#model = null;
    this.#publisher = null;
  }

  /** Runs `send` on the publisher channel and waits for its confirm, retrying through reconnects. */
  #confirmed(
    action: string,
    send: (channel: ConfirmChannel, done: (error: unknown) => void) => void,
  ): Promise<void> {
    return this.#withRetry(action, () => {
      const channel = this.#publisher;
      if (!channel) throw new BrokerError(`RabbitMQ is disconnected: cannot ${action}`);
      return new Promise<void>((resolve, reject) => {
        send(channel, (error) => error ? reject(error) : resolve());
      });
    });
  }

  #withModel<T>(action: string, run: (model: ChannelModel) => Promise<T>): Promise<T> {
    return this.#withRetry(action, () => {
      const model = this.#model;
      if (!model) throw new BrokerError(`RabbitMQ is disconnected: cannot ${action}`);
      return run(model);
    });
  }

  async #withRetry<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await retryWithBackoff(run, {
        deadlineMs: this.#settings.publishTimeoutMs,
        stop: () => this.#lifecycle.closed,
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new BrokerError(`Cannot ${action} on RabbitMQ: ${detail}`, { cause: error });
    }
  }

  /** Gets every dead letter (unacked), runs `use`, then closes the channel, requeueing the rest. */
  #withDeadLetters<T>(
    use: (
      letters: { letter: DeadLetter; message: GetMessage }[],
      channel: ConfirmChannel,
    ) => Promise<T>,
  ): Promise<T> {
    return this.#withModel("read dead letters", async (model) => {
      const channel = await model.createConfirmChannel();
      try {
        const letters: { letter: DeadLetter; message: GetMessage }[] = [];
        for (;;) {
          const message = await channel.get(this.#topology.deadLetterQueue, { noAck: false });
          if (message === false) break;
          letters.push({ letter: JSON.parse(message.content.toString()) as DeadLetter, message });
        }
        letters.sort((a, b) => b.letter.failed_at.localeCompare(a.letter.failed_at));
        return await use(letters, channel);
      } finally {
        await channel.close().catch(() => {});
      }
    });
  }

  #context(): RabbitmqContext {
    return {
      topology: this.#topology,
      sendToQueue: (queue, content, headers) =>
        this.#confirmed(
          `send to queue "${queue}"`,
          (channel, done) =>
            channel.sendToQueue(queue, content, { ...persistent(), headers: headers ?? {} }, done),
        ),
      sendDelayed: async (queue, envelope, delayMs) => {
        const content = Buffer.from(JSON.stringify(envelope));
        if (delayMs <= 0) return await this.#context().sendToQueue(queue, content);
        const bucket = this.#topology.bucket(delayMs);
        await this.#confirmed(`delay a message for "${queue}"`, (channel, done) => {
          this.#topology.declareBucket(channel, bucket).then(() =>
            channel.publish(this.#topology.delayExchange, queue, content, {
              ...persistent(envelope.id),
              headers: { [DELAY_HEADER]: String(bucket) },
            }, done)
          ).catch(done);
        });
      },
      deadLetter: (envelope, group, error) => {
        const letter = deadLetterOf(envelope, { group, error });
        const content = Buffer.from(JSON.stringify(letter));
        return this.#context().sendToQueue(this.#topology.deadLetterQueue, content);
      },
      deleteUnused: (queue) => this.#deleteUnused(queue),
      onError: this.#onError,
    };
  }

  async #deleteUnused(queue: string): Promise<void> {
    const model = this.#model;
    if (!model) return; // disconnected: the queue lost its consumer, so the broker deleted it
    // A channel of its own: a queue with consumers refuses `ifUnused` by closing the channel.
    try {
      const channel = await model.createChannel();
      channel.on("error", () => {}); // reported by the rejected call below
      await channel.deleteQueue(queue, { ifUnused: true });
      await channel.close();
    } catch (error) {
      // 406: in use by another subscriber of the group; the queue goes with the last one.
      if ((error as { code?: unknown }).code !== PRECONDITION_FAILED) this.#onError(error);
    }
  }

  #live(action: string): void {
    this.#lifecycle.live(this.#connection, action);
  }
}

/** The AMQP reply code of a refused `ifUnused` delete. */
const PRECONDITION_FAILED = 406;

function persistent(messageId?: string) {
  return {
    persistent: true,
    contentType: "application/json",
    ...(messageId === undefined ? {} : { messageId }),
  };
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}
