/**
 * One consumer group's subscription on the NATS adapter: a pull consumer feeding the handler at
 * the subscription's concurrency, with the settle operations mapped onto JetStream acks.
 *
 * @module
 */

import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { EventEnvelope, Subscription } from "../adapter.ts";
import {
  type BrokerSubscriptionSpec,
  decodeEnvelope,
  type DeliveryMechanism,
  InFlight,
  runDelivery,
  Semaphore,
} from "../_support/mod.ts";
import type { NatsContext } from "./nats_adapter.ts";
import { isNotFound } from "./_publish.ts";

/** What a subscription is for. */
export interface NatsSubscriptionSpec extends BrokerSubscriptionSpec<NatsSubscription> {
  durable: string;
  /** Deleted at close (the server deletes it after `inactive_threshold` if the process dies). */
  transient: boolean;
  /** The subject of replays addressed to this group. */
  ownSubject: string;
}

/** A live subscription. */
export class NatsSubscription implements Subscription {
  readonly topic: string;
  readonly group: string;
  readonly #context: NatsContext;
  readonly #spec: NatsSubscriptionSpec;
  readonly #slots: Semaphore;
  readonly #inFlight = new InFlight();
  #messages: ConsumerMessages | null = null;
  #loop: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;

  constructor(context: NatsContext, spec: NatsSubscriptionSpec) {
    this.#context = context;
    this.#spec = spec;
    this.topic = spec.topic;
    this.group = spec.group;
    this.#slots = new Semaphore(spec.concurrency);
  }

  /** Starts pulling. */
  async start(): Promise<void> {
    const { stream } = this.#context.settings;
    const consumer = await this.#context.js.consumers.get(stream, this.#spec.durable);
    this.#messages = await consumer.consume({
      max_messages: Math.max(100, this.#spec.concurrency * 2),
    });
    this.#loop = this.#run(this.#messages);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#messages?.stop();
    await this.#loop;
    await this.#inFlight.idle();
    if (this.#spec.transient) await this.#deleteConsumer();
    this.#spec.onClosed(this);
  }

  async #deleteConsumer(): Promise<void> {
    const { jsm, settings } = this.#context;
    try {
      await jsm.consumers.delete(settings.stream, this.#spec.durable);
    } catch (error) {
      // Already gone (its inactivity expired first); anything else is worth a report.
      if (!isNotFound(error)) this.#context.onError(error);
    }
  }

  async #run(messages: ConsumerMessages): Promise<void> {
    for await (const message of messages) {
      await this.#slots.acquire();
      if (this.#closing) {
        // Pulled but never handed out: back to the broker at once, not after the ack wait.
        this.#slots.release();
        message.nak();
        continue;
      }
      const task = this.#handle(message).finally(() => this.#slots.release());
      this.#inFlight.track(task).catch(this.#context.onError);
    }
  }

  async #handle(message: JsMsg): Promise<void> {
    if (!message.subject.endsWith(".all") && message.subject !== this.#spec.ownSubject) {
      message.ack(); // a replay addressed to another group
      return;
    }
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message.data);
    } catch (error) {
      message.term("Invalid envelope");
      this.#context.onError(error);
      return;
    }
    // Every redelivery counts as an attempt, including those after a crash of the consumer.
    envelope.metadata.attempt += message.info.deliveryCount - 1;
    await this.#deliver(message, envelope);
  }

  async #deliver(message: JsMsg, envelope: EventEnvelope): Promise<void> {
    const every = Math.max(1000, this.#context.settings.ackWaitMs / 3);
    const heartbeat = setInterval(() => message.working(), every);
    let settled: boolean;
    try {
      settled = await runDelivery(this.#spec.handler, {
        envelope,
        mechanism: this.#mechanism(message, envelope),
        onError: this.#context.onError,
      });
    } finally {
      clearInterval(heartbeat);
    }
    if (!settled) message.nak();
  }

  #mechanism(message: JsMsg, envelope: EventEnvelope): DeliveryMechanism {
    const context = this.#context;
    const group = this.#spec.group;
    return {
      ack: () => Promise.resolve(message.ack()),
      retry: (delayMs) => Promise.resolve(message.nak(delayMs)),
      deadLetter: async (error) => {
        const msgID = `dlq:${message.info.stream}:${message.seq}:${group}`;
        await context.deadLetter(envelope, { group, error, msgID });
        message.ack();
      },
    };
  }
}
