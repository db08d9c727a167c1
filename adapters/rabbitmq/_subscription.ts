/**
 * One consumer group's subscription on the RabbitMQ adapter: a channel with `prefetch` equal to
 * the concurrency, consuming the group's quorum queue with manual acks. Re-attached to each new
 * connection after a broker restart.
 *
 * @module
 */

import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import type { EventEnvelope, Subscription } from "../adapter.ts";
import {
  type BrokerSubscriptionSpec,
  decodeEnvelope,
  type DeliveryMechanism,
  InFlight,
  runDelivery,
  withAttempt,
} from "../_support/mod.ts";
import type { RabbitmqContext } from "./rabbitmq_adapter.ts";

/** What a subscription is for. */
export interface RabbitmqSubscriptionSpec extends BrokerSubscriptionSpec<RabbitmqSubscription> {
  queue: string;
  /** Set for a transient group: its queue's `x-expires` and `x-message-ttl`. */
  transientExpiryMs?: number;
}

/** A live subscription. */
export class RabbitmqSubscription implements Subscription {
  readonly topic: string;
  readonly group: string;
  readonly #context: RabbitmqContext;
  readonly #spec: RabbitmqSubscriptionSpec;
  readonly #inFlight = new InFlight();
  #consumer: { channel: Channel; tag: string } | null = null;
  #closing: Promise<void> | null = null;

  constructor(context: RabbitmqContext, spec: RabbitmqSubscriptionSpec) {
    this.#context = context;
    this.#spec = spec;
    this.topic = spec.topic;
    this.group = spec.group;
  }

  /** Declares the queue and starts consuming on a new channel of `model`. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.#closing) return;
    const channel = await model.createChannel();
    channel.on("error", (error: Error) => this.#context.onError(error));
    await this.#context.topology.declareGroup(channel, this.#spec);
    await channel.prefetch(this.#spec.concurrency);
    const { consumerTag } = await channel.consume(
      this.#spec.queue,
      (message) => message && this.#receive(channel, message),
      { noAck: false },
    );
    this.#consumer = { channel, tag: consumerTag };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const consumer = this.#consumer;
    if (consumer) await consumer.channel.cancel(consumer.tag).catch(() => {});
    await this.#inFlight.idle();
    if (consumer) await consumer.channel.close().catch(() => {});
    // An auto-delete queue goes with its last consumer; one that never had one (the consume failed)
    // is deleted here, unless another subscriber of the group still consumes it.
    if (this.#spec.transientExpiryMs !== undefined) {
      await this.#context.deleteUnused(this.#spec.queue);
    }
    this.#spec.onClosed(this);
  }

  #receive(channel: Channel, message: ConsumeMessage): void {
    if (this.#closing) {
      channel.nack(message, false, true);
      return;
    }
    this.#inFlight.track(this.#handle(channel, message)).catch(this.#context.onError);
  }

  async #handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message.content.toString());
    } catch (error) {
      channel.nack(message, false, false);
      this.#context.onError(error);
      return;
    }
    const settled = await runDelivery(this.#spec.handler, {
      envelope,
      mechanism: this.#mechanism(channel, message, envelope),
      onError: this.#context.onError,
    });
    // Unsettled: back to the queue now. A closed channel (lost connection) requeues it anyway.
    if (!settled) ignoreClosed(() => channel.nack(message, false, true));
  }

  #mechanism(
    channel: Channel,
    message: ConsumeMessage,
    envelope: EventEnvelope,
  ): DeliveryMechanism {
    const context = this.#context;
    const queue = this.#spec.queue;
    return {
      ack: () => settle(() => channel.ack(message)),
      retry: async (delayMs) => {
        const next = withAttempt(envelope, envelope.metadata.attempt + 1);
        await context.sendDelayed(queue, next, delayMs);
        await settle(() => channel.ack(message));
      },
      deadLetter: async (error) => {
        await context.deadLetter(envelope, this.#spec.group, error);
        await settle(() => channel.ack(message));
      },
    };
  }
}

function settle(action: () => void): Promise<void> {
  try {
    action();
    return Promise.resolve();
  } catch (error) {
    return Promise.reject(error);
  }
}

function ignoreClosed(action: () => void): void {
  try {
    action();
  } catch {
    // The channel is gone with its connection; the broker requeues what it had delivered.
  }
}
