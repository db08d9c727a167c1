/**
 * The `sqs` adapter (README.md states the guarantees): a standard queue per (topic, group); publish
 * sends the event to every group queue of its topic; a delivery is deleted only after its handler
 * acked it; retry hides the message for the delay (ChangeMessageVisibility); dead letters go to one
 * dead-letter queue with the group and the error.
 *
 * @module
 */

import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
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
  fit,
  readSettings,
  resolveBrokerOptions,
  type ResolvedBrokerOptions,
  retryWithBackoff,
  withAttempt,
} from "../_support/mod.ts";
import { Queues } from "./_queues.ts";
import { heartbeatTags, ignoreGone, TRANSIENT_RETENTION_S, TransientQueue } from "./_transient.ts";
import type { EventBridgeClientConfig } from "@aws-sdk/client-eventbridge";
import { SqsSubscription } from "./_subscription.ts";
import { EventBridgeRoute } from "./_eventbridge.ts";
import { resolveSettings, type SqsSettings } from "./_settings.ts";

/** Options of {@linkcode createSqsAdapter}. */
export type SqsAdapterOptions = BrokerAdapterOptions;

const GUARANTEES: AdapterGuarantees = Object.freeze({
  durable: true,
  orderedPerTopic: false,
  deduplicates: false,
});

/**
 * Creates an SQS adapter from `[adapter]` settings: `region` (`AWS_REGION`, default `us-east-1`),
 * `endpoint` (`ROHAS_SQS_ENDPOINT`; unset: AWS itself), `queue_prefix` (`<service>-`),
 * `visibility_timeout_s` (30), `retention_s` (345600), `wait_time_s` (20), `groups_ttl_ms` (1000),
 * `publish_timeout_ms` (30000), `transient_expiry_ms` (60000: a transient group's queue whose heartbeat
 * is older is deleted), `access_key_id` / `secret_access_key` (else the AWS default chain;
 * a local `endpoint` without credentials gets dummy ones).
 *
 * @param settings the raw `[adapter]` table
 * @param options environment, service name, background error sink
 * @returns the adapter, not yet started
 *
 * @example Configure without connecting (start() checks the endpoint)
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { createSqsAdapter } from "./mod.ts";
 * const adapter = createSqsAdapter({ endpoint: "http://127.0.0.1:4566", region: "us-east-1" }, {
 *   service: "shop",
 *   env: {},
 * });
 * assert(adapter.type === "sqs" && !adapter.guarantees.orderedPerTopic);
 * await adapter.close();
 * ```
 */
export function createSqsAdapter(
  settings: Readonly<Record<string, unknown>>,
  options: SqsAdapterOptions = {},
): Adapter {
  return createSqsFamilyAdapter("sqs", settings, options);
}

/**
 * Creates the SQS adapter under another config name (`aws` with `aws_type = "sqs"`).
 *
 * @param type the name the adapter reports
 * @param settings the raw `[adapter]` table
 * @param options environment, service name, background error sink
 * @returns the adapter, not yet started
 *
 * @example The SQS adapter under the name aws
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createSqsFamilyAdapter } from "./sqs_adapter.ts";
 * const adapter = createSqsFamilyAdapter("aws", { region: "eu-west-1" }, { env: {} });
 * assertEquals(adapter.type, "aws");
 * await adapter.close();
 * ```
 */
export function createSqsFamilyAdapter(
  type: "sqs" | "aws",
  settings: Readonly<Record<string, unknown>>,
  options: SqsAdapterOptions = {},
): Adapter {
  const broker = resolveBrokerOptions(options);
  const read = readSettings(type, settings, broker.env);
  const resolved = resolveSettings(read, broker.service);
  if (type === "aws" && String(settings.aws_type ?? "sqs").toLowerCase() === "eventbridge") {
    const endpoint = read.string("eventbridge_endpoint", "ROHAS_EVENTBRIDGE_ENDPOINT", "");
    const { credentials, endpoint: sqsEndpoint } = resolved.client;
    const client: EventBridgeClientConfig = {
      region: read.string("region", "AWS_REGION", "us-east-1"),
      maxAttempts: 3,
    };
    if (credentials) client.credentials = credentials as NonNullable<typeof client.credentials>;
    const chosen = endpoint !== "" ? endpoint : sqsEndpoint;
    if (typeof chosen === "string") client.endpoint = chosen;
    resolved.eventbridge = {
      client,
      source: read.string("source", null, "rohas"),
      eventBusName: read.string("event_bus_name", null, "default"),
    };
  }
  return new SqsAdapter(type, resolved, broker);
}

/** What a subscription needs from its adapter. */
export interface SqsContext {
  readonly client: SQSClient;
  readonly queues: Queues;
  readonly visibilityTimeoutS: number;
  readonly waitTimeS: number;
  /** Stores the dead letter of an envelope for a group in the dead-letter queue. */
  deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void>;
  onError(error: unknown): void;
}

class SqsAdapter implements Adapter {
  readonly type: string;
  readonly guarantees = GUARANTEES;
  readonly #settings: SqsSettings;
  readonly #onError: (error: unknown) => void;
  readonly #lifecycle: BrokerLifecycle<SqsSubscription>;
  #live: { client: SQSClient; queues: Queues } | null = null;
  #route: EventBridgeRoute | null = null;

  constructor(type: string, settings: SqsSettings, options: ResolvedBrokerOptions) {
    this.type = type;
    this.#settings = settings;
    this.#onError = options.onError;
    this.#lifecycle = new BrokerLifecycle(type);
  }

  async start(): Promise<void> {
    this.#lifecycle.assertOpen("start");
    if (this.#live) return;
    const client = new SQSClient(this.#settings.client);
    try {
      await client.send(new ListQueuesCommand({ MaxResults: 1 }));
    } catch (cause) {
      client.destroy();
      throw new BrokerUnreachableError("sqs", this.#settings.address, {
        setting: this.#settings.addressSource,
        hint: "for tests start fauxqs with scripts/brokers/start.sh sqs",
        cause,
      });
    }
    const queues = new Queues(client, this.#settings);
    this.#live = { client, queues };
    const eventbridge = this.#settings.eventbridge;
    if (eventbridge) this.#route = new EventBridgeRoute(eventbridge, client);
    await queues.url(queues.deadLetterQueue);
  }

  async publish(envelope: EventEnvelope): Promise<void> {
    const { client, queues } = this.#connection(`publish to "${envelope.topic}"`);
    const route = this.#route;
    if (route) {
      return await this.#retrying(
        `publish "${envelope.topic}" to EventBridge`,
        () => route.publish(envelope),
      );
    }
    const body = JSON.stringify(envelope);
    const urls = await this.#retrying(
      `list the queues of "${envelope.topic}"`,
      () => queues.groupUrls(envelope.topic),
    );
    await Promise.all(
      urls.map((url) =>
        this.#retrying(`publish to "${url}"`, () =>
          client.send(
            new SendMessageCommand({
              QueueUrl: url,
              MessageBody: body,
              MessageAttributes: {
                topic: { DataType: "String", StringValue: envelope.topic },
                timestamp: { DataType: "String", StringValue: envelope.timestamp },
              },
            }),
            // A transient group's queue deleted since the list was read: that group is gone.
          ).then(() => {}, ignoreGone))
      ),
    );
  }

  async subscribe(
    topic: string,
    group: string,
    handler: DeliveryHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const { client, queues } = this.#connection(`subscribe to "${topic}"`);
    const name = queues.groupQueue(topic, group);
    const url = await queues.url(
      name,
      options.transient ? { tags: heartbeatTags(), retentionS: TRANSIENT_RETENTION_S } : {},
    );
    queues.invalidate(topic);
    // EventBridge rule names allow 64 characters.
    await this.#route?.bind(topic, fit(name, 64), url);
    const subscription = new SqsSubscription(this.#context(client, queues), {
      topic,
      group,
      url,
      handler,
      concurrency: Math.max(1, options.concurrency ?? 1),
      onClosed: (closed) => this.#lifecycle.forget(closed),
      transient: options.transient
        ? new TransientQueue({
          ...{ client, queues, topic, name, url, onError: this.#onError },
          expiryMs: this.#settings.transientExpiryMs,
        })
        : null,
    });
    this.#lifecycle.add(subscription);
    subscription.start();
    return subscription;
  }

  async listDeadLetters(topic?: string): Promise<DeadLetter[]> {
    const letters = await this.#withDeadLetters("list dead letters", () => Promise.resolve());
    return letters.map((entry) => entry.letter).filter((letter) =>
      topic === undefined || letter.envelope.topic === topic
    );
  }

  async replayDeadLetters(topic: string, options: ReplayOptions = {}): Promise<number> {
    const { client, queues } = this.#connection(`replay dead letters of "${topic}"`);
    const wanted = options.ids ? new Set(options.ids) : null;
    let count = 0;
    await this.#withDeadLetters(`replay dead letters of "${topic}"`, async (letters, dlqUrl) => {
      for (const { letter, message } of letters) {
        if (letter.envelope.topic !== topic) continue;
        if (wanted && !wanted.has(letter.envelope.id)) continue;
        const envelope = withAttempt(letter.envelope, 1);
        if (letter.group === PUBLISH_GROUP) await this.publish(envelope);
        else {
          const url = await queues.url(queues.groupQueue(topic, letter.group));
          await client.send(
            new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(envelope) }),
          );
        }
        await client.send(
          new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        message.ReceiptHandle = undefined;
        count++;
      }
    });
    return count;
  }

  async deadLetter(envelope: EventEnvelope, group: string, error: string): Promise<void> {
    const { client, queues } = this.#connection(`dead-letter "${envelope.topic}"`);
    await this.#context(client, queues).deadLetter(envelope, group, error);
  }

  async close(): Promise<void> {
    if (!(await this.#lifecycle.close())) return;
    this.#route?.destroy();
    this.#live?.client.destroy();
    this.#live = null;
  }

  /**
   * Receives every dead letter (hiding them), runs `use`, then makes the ones it did not delete
   * visible again.
   */
  async #withDeadLetters(
    action: string,
    use: (letters: { letter: DeadLetter; message: Message }[], url: string) => Promise<void>,
  ): Promise<{ letter: DeadLetter; message: Message }[]> {
    const { client, queues } = this.#connection(action);
    const url = await queues.url(queues.deadLetterQueue);
    const letters: { letter: DeadLetter; message: Message }[] = [];
    try {
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 60,
            WaitTimeSeconds: 0,
          }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          letters.push({ letter: JSON.parse(message.Body ?? "null") as DeadLetter, message });
        }
      }
      letters.sort((a, b) => b.letter.failed_at.localeCompare(a.letter.failed_at));
      await use(letters, url);
    } finally {
      await this.#release(client, url, letters.map((entry) => entry.message));
    }
    return letters;
  }

  async #release(client: SQSClient, url: string, messages: Message[]): Promise<void> {
    const handles = messages.flatMap((message) =>
      message.ReceiptHandle ? [message.ReceiptHandle] : []
    );
    for (let i = 0; i < handles.length; i += 10) {
      const Entries = handles.slice(i, i + 10).map((ReceiptHandle, n) => ({
        Id: String(n),
        ReceiptHandle,
        VisibilityTimeout: 0,
      }));
      await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries }));
    }
  }

  #context(client: SQSClient, queues: Queues): SqsContext {
    return {
      client,
      queues,
      visibilityTimeoutS: this.#settings.visibilityTimeoutS,
      waitTimeS: this.#settings.waitTimeS,
      deadLetter: async (envelope, group, error) => {
        const letter = deadLetterOf(envelope, { group, error });
        const url = await queues.url(queues.deadLetterQueue);
        await client.send(
          new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(letter) }),
        );
      },
      onError: this.#onError,
    };
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

  #connection(action: string): { client: SQSClient; queues: Queues } {
    return this.#lifecycle.live(this.#live, action);
  }
}
