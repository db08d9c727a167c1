/**
 * The RabbitMQ names and declarations the adapter uses: a topic exchange per service, a quorum
 * queue per (topic, group), delay buckets that dead-letter back to the group's queue, and a
 * dead-letter queue.
 *
 * @module
 */

import type { Channel } from "amqplib";
import { subjectToken } from "../_support/mod.ts";

/**
 * Retry delays are rounded up to the next bucket; each bucket is one queue whose messages expire
 * after its TTL into the default exchange, which routes them back to their group's queue.
 */
export const DELAY_BUCKETS_MS = [
  100,
  250,
  500,
  1000,
  2000,
  5000,
  10_000,
  30_000,
  60_000,
  120_000,
  300_000,
  600_000,
  1_800_000,
  3_600_000,
] as const;

/**
 * The header a delayed message carries to pick its bucket. A headers exchange ignores headers
 * whose names start with `x-` when matching, so this one must not: with `x-rohas-delay`, every
 * bucket matched every message and each retry came back once per declared bucket.
 */
export const DELAY_HEADER = "rohas-delay";

/** The names of one service's exchanges and queues. */
export class Topology {
  readonly exchange: string;
  readonly delayExchange: string;
  readonly deadLetterQueue: string;
  readonly #prefix: string;
  readonly #declaredBuckets = new Set<number>();

  /** Names everything under `rohas.<service>`. */
  constructor(service: string) {
    this.#prefix = `rohas.${subjectToken(service)}`;
    this.exchange = this.#prefix;
    // Not `.delay`: brokers that ran an earlier version hold bindings there that match everything.
    this.delayExchange = `${this.#prefix}.delays`;
    this.deadLetterQueue = `${this.#prefix}.dlq`;
  }

  /** The routing key of a topic on the service exchange. */
  routingKey(topic: string): string {
    return subjectToken(topic);
  }

  /** The queue of one (topic, group). */
  queue(topic: string, group: string): string {
    return `${this.#prefix}.q.${subjectToken(topic)}.${subjectToken(group)}`;
  }

  /** The bucket a delay goes to: the smallest one not shorter than the delay. */
  bucket(delayMs: number): number {
    return DELAY_BUCKETS_MS.find((bucket) => bucket >= delayMs) ??
      DELAY_BUCKETS_MS.at(-1) as number;
  }

  /** Declares the exchanges and the dead-letter queue. */
  async declareBase(channel: Channel): Promise<void> {
    await channel.assertExchange(this.exchange, "topic", { durable: true });
    await channel.assertExchange(this.delayExchange, "headers", { durable: true });
    // Classic on purpose: listing dead letters gets and requeues them, and quorum queues count
    // (and on RabbitMQ 4 limit) redeliveries.
    await channel.assertQueue(this.deadLetterQueue, { durable: true });
  }

  /**
   * Declares a group's queue and binds it to its topic: a quorum queue, or for a transient group
   * a classic auto-delete queue (gone when its last consumer is, including when a killed process's
   * connection drops) with `x-expires` for one never consumed and `x-message-ttl` (both
   * `expiryMs`) bounding what it holds meanwhile.
   */
  async declareGroup(
    channel: Channel,
    spec: { topic: string; group: string; transientExpiryMs?: number },
  ): Promise<string> {
    const queue = this.queue(spec.topic, spec.group);
    const expiry = spec.transientExpiryMs;
    await channel.assertQueue(
      queue,
      expiry === undefined ? { durable: true, arguments: { "x-queue-type": "quorum" } } : {
        durable: true,
        autoDelete: true,
        arguments: { "x-queue-type": "classic", "x-expires": expiry, "x-message-ttl": expiry },
      },
    );
    await channel.bindQueue(queue, this.exchange, this.routingKey(spec.topic));
    return queue;
  }

  /** Declares a delay bucket once per connection. */
  async declareBucket(channel: Channel, bucket: number): Promise<void> {
    if (this.#declaredBuckets.has(bucket)) return;
    const queue = `${this.delayExchange}.${bucket}`;
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        "x-queue-type": "quorum",
        "x-message-ttl": bucket,
        "x-dead-letter-exchange": "",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
      },
    });
    await channel.bindQueue(queue, this.delayExchange, "", {
      "x-match": "all",
      [DELAY_HEADER]: String(bucket),
    });
    this.#declaredBuckets.add(bucket);
  }

  /** Forgets declarations (after a reconnect the broker may be a new one). */
  reset(): void {
    this.#declaredBuckets.clear();
  }
}
