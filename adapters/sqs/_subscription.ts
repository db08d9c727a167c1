/**
 * One consumer group's subscription on the SQS adapter: a long-polling receive loop asking for as
 * many messages as there are free slots, the settle operations mapped onto delete (ack),
 * visibility (retry, unsettled) and a send to the dead-letter queue.
 *
 * @module
 */

import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import type { EventEnvelope, Subscription } from "../adapter.ts";
import {
  type BrokerSubscriptionSpec,
  decodeEnvelope,
  type DeliveryMechanism,
  InFlight,
  runDelivery,
  Semaphore,
} from "../_support/mod.ts";
import type { SqsContext } from "./sqs_adapter.ts";
import { unwrapEventBridge } from "./_eventbridge.ts";
import type { TransientQueue } from "./_transient.ts";

/** What a subscription is for. */
export interface SqsSubscriptionSpec extends BrokerSubscriptionSpec<SqsSubscription> {
  url: string;
  /** A transient group's queue: deleted at close. */
  transient: TransientQueue | null;
}

/** SQS's longest visibility timeout, in seconds. */
const MAX_VISIBILITY_S = 43_200;

/** A live subscription. */
export class SqsSubscription implements Subscription {
  readonly topic: string;
  readonly group: string;
  readonly #context: SqsContext;
  readonly #spec: SqsSubscriptionSpec;
  readonly #slots: Semaphore;
  readonly #free: { count: number };
  readonly #inFlight = new InFlight();
  readonly #abort = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;

  constructor(context: SqsContext, spec: SqsSubscriptionSpec) {
    this.#context = context;
    this.#spec = spec;
    this.topic = spec.topic;
    this.group = spec.group;
    this.#slots = new Semaphore(spec.concurrency);
    this.#free = { count: spec.concurrency };
  }

  /** Starts the receive loop. */
  start(): void {
    this.#loop = this.#run();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#inFlight.idle();
    await this.#spec.transient?.close().catch(this.#context.onError);
    this.#spec.onClosed(this);
  }

  async #run(): Promise<void> {
    let backoff = 100;
    while (!this.#closing) {
      await this.#slots.acquire();
      this.#slots.release();
      if (this.#closing) return;
      try {
        const messages = await this.#receive();
        backoff = 100;
        for (const message of messages) await this.#dispatch(message);
      } catch (error) {
        if (this.#closing) return;
        this.#context.onError(error);
        await sleep(backoff, this.#abort.signal);
        backoff = Math.min(5000, backoff * 2);
      }
    }
  }

  async #receive(): Promise<Message[]> {
    const { Messages = [] } = await this.#context.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#spec.url,
        MaxNumberOfMessages: Math.min(10, Math.max(1, this.#free.count)),
        WaitTimeSeconds: this.#context.waitTimeS,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
      { abortSignal: this.#abort.signal },
    );
    return Messages;
  }

  async #dispatch(message: Message): Promise<void> {
    await this.#slots.acquire();
    if (this.#closing) {
      this.#slots.release();
      await this.#visibility(message, 0).catch(this.#context.onError);
      return;
    }
    this.#free.count--;
    const task = this.#handle(message).finally(() => {
      this.#free.count++;
      this.#slots.release();
    });
    this.#inFlight.track(task).catch(this.#context.onError);
  }

  async #handle(message: Message): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(unwrapEventBridge(message.Body ?? ""));
    } catch (error) {
      this.#context.onError(error);
      return; // left invisible; SQS retention (or a redrive policy) disposes of it
    }
    const received = Number(message.Attributes?.ApproximateReceiveCount ?? "1");
    envelope.metadata.attempt += Math.max(0, received - 1);
    const every = Math.max(1000, this.#context.visibilityTimeoutS * 1000 / 2);
    const extend = setInterval(() => {
      this.#visibility(message, this.#context.visibilityTimeoutS).catch(this.#context.onError);
    }, every);
    let settled: boolean;
    try {
      settled = await runDelivery(this.#spec.handler, {
        envelope,
        mechanism: this.#mechanism(message, envelope),
        onError: this.#context.onError,
      });
    } finally {
      clearInterval(extend);
    }
    if (!settled) await this.#visibility(message, 0).catch(this.#context.onError);
  }

  #mechanism(message: Message, envelope: EventEnvelope): DeliveryMechanism {
    const { client } = this.#context;
    const remove = async () => {
      await client.send(
        new DeleteMessageCommand({
          QueueUrl: this.#spec.url,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
    };
    return {
      ack: remove,
      retry: (delayMs) => this.#visibility(message, Math.ceil(delayMs / 1000)),
      deadLetter: async (error) => {
        await this.#context.deadLetter(envelope, this.#spec.group, error);
        await remove();
      },
    };
  }

  async #visibility(message: Message, seconds: number): Promise<void> {
    await this.#context.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#spec.url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: Math.min(MAX_VISIBILITY_S, Math.max(0, seconds)),
      }),
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
