/**
 * The `nats` adapter on NATS JetStream (README.md states the guarantees).
 *
 * Layout: one stream per service (`ROHAS_<service>`, interest retention, file storage) holding the
 * subjects `rohas.<service>.<topic>.all` (published events) and `rohas.<service>.<topic>.g.<group>`
 * (replays addressed to one group); one durable pull consumer per (topic, group) filtering
 * `rohas.<service>.<topic>.>`; a second stream `ROHAS_<service>_DLQ` (limits retention) holding dead
 * letters on `rohasdlq.<service>.<topic>.<group>`. Names are encoded with `subjectToken`.
 *
 * @module
 */

import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
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
  BrokerLifecycle,
  BrokerUnreachableError,
  deadLetterOf,
  readSettings,
  resolveBrokerOptions,
  type ResolvedBrokerOptions,
  subjectToken,
  withAttempt,
} from "../_support/mod.ts";
import { NatsSubscription } from "./_subscription.ts";
import { isNotFound, publishConfirmed, wrap } from "./_publish.ts";

/** Options of {@linkcode createNatsAdapter}. */
export type NatsAdapterOptions = BrokerAdapterOptions;

/** Resolved settings of the NATS adapter. */
export interface NatsSettings {
  url: string;
  urlSource: string;
  stream: string;
  dlqStream: string;
  prefix: string;
  ackWaitMs: number;
  duplicateWindowMs: number;
  publishTimeoutMs: number;
  /** A transient group's consumer is deleted by the server once inactive that long. */
  transientExpiryMs: number;
}

const GUARANTEES: AdapterGuarantees = Object.freeze({
  durable: true,
  orderedPerTopic: true,
  deduplicates: true,
});

/**
 * Creates a NATS JetStream adapter from `[adapter]` settings: `url` (`ROHAS_NATS_URL`, default
 * `nats://127.0.0.1:4222`, several comma-separated), `stream` (default `ROHAS_<service>`),
 * `ack_wait_ms` (30000), `duplicate_window_ms` (120000), `publish_timeout_ms` (30000),
 * `transient_expiry_ms` (30000: a transient group's consumer's `inactive_threshold`).
 *
 * @param settings the raw `[adapter]` table
 * @param options environment, service name, background error sink
 * @returns the adapter, not yet started
 *
 * @example Configure without connecting (start() connects)
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { createNatsAdapter } from "./mod.ts";
 * const adapter = createNatsAdapter({ url: "nats://127.0.0.1:4222" }, { service: "shop", env: {} });
 * assert(adapter.type === "nats" && adapter.guarantees.deduplicates);
 * await adapter.close();
 * ```
 */
export function createNatsAdapter(
  settings: Readonly<Record<string, unknown>>,
  options: NatsAdapterOptions = {},
): Adapter {
  const resolved = resolveBrokerOptions(options);
  return new NatsAdapter(resolveSettings(settings, resolved), resolved);
}

function resolveSettings(
  settings: Readonly<Record<string, unknown>>,
  options: ResolvedBrokerOptions,
): NatsSettings {
  const read = readSettings("nats", settings, options.env);
  const service = subjectToken(options.service);
  const stream = read.string("stream", "ROHAS_NATS_STREAM", `ROHAS_${service}`);
  return {
    url: read.string("url", "ROHAS_NATS_URL", "nats://127.0.0.1:4222"),
    urlSource: read.source("url", "ROHAS_NATS_URL"),
    stream,
    dlqStream: `${stream}_DLQ`,
    prefix: service,
    ackWaitMs: read.number("ack_wait_ms", null, 30_000),
    duplicateWindowMs: read.number("duplicate_window_ms", null, 120_000),
    publishTimeoutMs: read.number("publish_timeout_ms", null, 30_000),
    transientExpiryMs: read.number("transient_expiry_ms", null, 30_000),
  };
}

/** What a subscription needs from its adapter. */
export interface NatsContext {
  readonly settings: NatsSettings;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  publishTo(subject: string, envelope: EventEnvelope, msgID: string): Promise<void>;
  /**
   * Stores the dead letter of an envelope for a group in the dead-letter stream; `msgID` makes a
   * re-sent store a no-op.
   */
  deadLetter(
    envelope: EventEnvelope,
    letter: { group: string; error: string; msgID: string },
  ): Promise<void>;
  onError(error: unknown): void;
}

class NatsAdapter implements Adapter {
  readonly type = "nats";
  readonly guarantees = GUARANTEES;
  readonly #settings: NatsSettings;
  readonly #onError: (error: unknown) => void;
  readonly #lifecycle: BrokerLifecycle<NatsSubscription>;
  #connection: { nc: NatsConnection; context: NatsContext } | null = null;

  constructor(settings: NatsSettings, options: ResolvedBrokerOptions) {
    this.#settings = settings;
    this.#onError = options.onError;
    this.#lifecycle = new BrokerLifecycle("nats");
  }

  async start(): Promise<void> {
    this.#lifecycle.assertOpen("start");
    if (this.#connection) return;
    const nc = await this.#connect();
    try {
      const jsm = await jetstreamManager(nc);
      await this.#ensureStreams(jsm);
      this.#connection = { nc, context: this.#context(nc, jsm) };
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async publish(envelope: EventEnvelope): Promise<void> {
    const context = this.#live(`publish to "${envelope.topic}"`);
    const key = envelope.metadata.idempotency_key;
    const msgID = key === undefined ? envelope.id : `key:${envelope.topic}:${key}`;
    await context.publishTo(this.#topicSubject(envelope.topic, "all"), envelope, msgID);
  }

  async subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const context = this.#live(`subscribe to "${topic}"`);
    const durable = `${subjectToken(group)}__${subjectToken(topic)}`;
    const transient = options.transient === true;
    await this.#ensureConsumer(context.jsm, { durable, topic, transient });
    const subscription = new NatsSubscription(context, {
      topic,
      group,
      durable,
      transient,
      ownSubject: this.#topicSubject(topic, `g.${subjectToken(group)}`),
      handler,
      concurrency: Math.max(1, options.concurrency ?? 1),
      onClosed: (closed) => this.#lifecycle.forget(closed),
    });
    this.#lifecycle.add(subscription);
    await subscription.start();
    return subscription;
  }

  async listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    const context = this.#live("list dead letters");
    const letters = await this.#readDeadLetters(context.jsm, topic);
    return letters.map((entry) => entry.letter).reverse();
  }

  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    const context = this.#live(`replay dead letters of "${topic}"`);
    const wanted = options.ids ? new Set(options.ids) : null;
    const letters = await this.#readDeadLetters(context.jsm, topic);
    let count = 0;
    for (const { letter, seq } of letters) {
      if (wanted && !wanted.has(letter.envelope.id)) continue;
      const envelope = withAttempt(letter.envelope, 1);
      if (letter.group === PUBLISH_GROUP) await this.publish(envelope);
      else {
        const subject = this.#topicSubject(topic, `g.${subjectToken(letter.group)}`);
        await context.publishTo(subject, envelope, `replay:${this.#settings.dlqStream}:${seq}`);
      }
      await context.jsm.streams.deleteMessage(this.#settings.dlqStream, seq, false);
      count++;
    }
    return count;
  }

  async deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    const context = this.#live(`dead-letter "${envelope.topic}"`);
    // Unique per call: the same event dead-lettered again after a replay is a new letter.
    const msgID = `dlq:${group}:${envelope.id}:${crypto.randomUUID()}`;
    await context.deadLetter(envelope, { group, error, msgID });
  }

  async close(): Promise<void> {
    if (!(await this.#lifecycle.close())) return;
    const connection = this.#connection;
    this.#connection = null;
    if (connection) await connection.nc.close();
  }

  async #connect(): Promise<NatsConnection> {
    const { url, urlSource } = this.#settings;
    try {
      return await connect({
        servers: url.split(",").map((server) => server.trim()),
        name: `rohas-${this.#settings.prefix}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: 5000,
      });
    } catch (cause) {
      throw new BrokerUnreachableError("nats", url, {
        setting: urlSource,
        hint: "start it with scripts/brokers/start.sh nats",
        cause,
      });
    }
  }

  async #ensureStreams(jsm: JetStreamManager): Promise<void> {
    const { stream, dlqStream, prefix, duplicateWindowMs } = this.#settings;
    await ensureStream(jsm, {
      name: stream,
      subjects: [`rohas.${prefix}.>`],
      retention: RetentionPolicy.Interest,
      storage: StorageType.File,
      duplicate_window: nanos(duplicateWindowMs),
    });
    await ensureStream(jsm, {
      name: dlqStream,
      subjects: [`rohasdlq.${prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(duplicateWindowMs),
    });
  }

  async #ensureConsumer(
    jsm: JetStreamManager,
    { durable, topic, transient }: { durable: string; topic: string; transient: boolean },
  ): Promise<void> {
    const { stream, ackWaitMs, transientExpiryMs } = this.#settings;
    try {
      await jsm.consumers.info(stream, durable);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw wrap(`Cannot look up NATS consumer "${durable}"`, error);
    }
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      // A new group sees what is published after it subscribed, like every other adapter.
      deliver_policy: DeliverPolicy.New,
      filter_subject: this.#topicSubject(topic, ">"),
      ack_wait: nanos(ackWaitMs),
      max_deliver: -1,
      max_ack_pending: 10_000,
      // The server deletes a consumer nobody pulled from for that long: a killed process's.
      ...(transient ? { inactive_threshold: nanos(transientExpiryMs) } : {}),
    });
  }

  async #readDeadLetters(
    jsm: JetStreamManager,
    topic: string | undefined,
  ): Promise<{ letter: DeadLetter; seq: number }[]> {
    const { dlqStream, prefix } = this.#settings;
    const info = await jsm.streams.info(dlqStream);
    const wanted = topic === undefined ? null : `rohasdlq.${prefix}.${subjectToken(topic)}.`;
    const letters: { letter: DeadLetter; seq: number }[] = [];
    if (info.state.messages === 0) return letters;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const stored = await getStored(jsm, dlqStream, seq);
      if (!stored || (wanted && !stored.subject.startsWith(wanted))) continue;
      letters.push({ letter: stored.json<DeadLetter>(), seq });
    }
    return letters;
  }

  #context(nc: NatsConnection, jsm: JetStreamManager): NatsContext {
    const js = jetstream(nc);
    const settings = this.#settings;
    return {
      settings,
      js,
      jsm,
      publishTo: (subject, envelope, msgID) =>
        publishConfirmed(js, settings, subject, envelope, msgID),
      deadLetter: (envelope, { group, error, msgID }) => {
        const letter = deadLetterOf(envelope, { group, error });
        const subject = `rohasdlq.${settings.prefix}.${subjectToken(envelope.topic)}.${
          subjectToken(group)
        }`;
        const bytes = new TextEncoder().encode(JSON.stringify(letter));
        return publishConfirmed(js, settings, subject, bytes, msgID);
      },
      onError: this.#onError,
    };
  }

  #topicSubject(topic: string, tail: string): string {
    return `rohas.${this.#settings.prefix}.${subjectToken(topic)}.${tail}`;
  }

  #live(action: string): NatsContext {
    return this.#lifecycle.live(this.#connection, action).context;
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  config: Parameters<JetStreamManager["streams"]["add"]>[0],
): Promise<void> {
  try {
    await jsm.streams.info(config.name as string);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw wrap(`Cannot look up NATS stream "${config.name}"`, error);
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Another instance may have created it between our look-up and add.
    await jsm.streams.info(config.name as string).catch(() => {
      throw wrap(`Cannot create NATS stream "${config.name}"`, error);
    });
  }
}

async function getStored(jsm: JetStreamManager, stream: string, seq: number) {
  try {
    return await jsm.streams.getMessage(stream, { seq });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

function nanos(ms: number): number {
  return ms * 1_000_000;
}
