/**
 * A transient group's queue on SQS (adapters/adapter.ts `SubscribeOptions.transient`). SQS has no
 * queue that dies with its consumer, so the adapter builds one: the queue keeps messages 60 s
 * (SQS's shortest retention) and carries a tag holding its subscriber's last heartbeat, renewed
 * every third of `transient_expiry_ms`. Closing deletes it; and each transient subscriber of a topic
 * deletes, at each heartbeat, the topic's transient queues whose heartbeat is older than
 * `transient_expiry_ms`: those of processes killed before they closed.
 *
 * @module
 */

import {
  DeleteQueueCommand,
  ListQueueTagsCommand,
  type SQSClient,
  TagQueueCommand,
} from "@aws-sdk/client-sqs";
import type { Queues } from "./_queues.ts";

/** The tag a transient queue carries: its subscriber's last heartbeat, epoch milliseconds. */
export const HEARTBEAT_TAG = "rohas-transient-heartbeat";

/** SQS's shortest message retention, in seconds. */
export const TRANSIENT_RETENTION_S = 60;

/** What keeps a transient queue alive. */
export interface TransientQueueSpec {
  client: SQSClient;
  queues: Queues;
  topic: string;
  name: string;
  url: string;
  expiryMs: number;
  onError(error: unknown): void;
}

/** The heartbeat, the sweep of stale queues and the deletion at close of one transient queue. */
export class TransientQueue {
  readonly #spec: TransientQueueSpec;
  readonly #timer: ReturnType<typeof setInterval>;
  #beating: Promise<void> = Promise.resolve();

  /** Starts beating (the queue was created with a fresh heartbeat). */
  constructor(spec: TransientQueueSpec) {
    this.#spec = spec;
    this.#timer = setInterval(() => {
      this.#beating = this.#beat().catch(spec.onError);
    }, Math.max(100, spec.expiryMs / 3));
  }

  /** Stops beating and deletes the queue with what it holds. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    const { client, queues, name, topic, url } = this.#spec;
    queues.forget(name, topic);
    await client.send(new DeleteQueueCommand({ QueueUrl: url })).catch(ignoreGone);
  }

  async #beat(): Promise<void> {
    const { client, url, queues, topic } = this.#spec;
    await client.send(new TagQueueCommand({ QueueUrl: url, Tags: heartbeatTags() }));
    queues.invalidate(topic);
    for (const other of await queues.groupUrls(topic)) {
      if (other !== url) await this.#sweep(other);
    }
  }

  async #sweep(url: string): Promise<void> {
    const { client, expiryMs } = this.#spec;
    const { Tags } = await client.send(new ListQueueTagsCommand({ QueueUrl: url })).catch(
      (error) => ignoreGone(error).then(() => ({ Tags: undefined })),
    );
    const beat = Tags?.[HEARTBEAT_TAG];
    if (beat === undefined || Date.now() - Number(beat) <= expiryMs) return;
    await client.send(new DeleteQueueCommand({ QueueUrl: url })).catch(ignoreGone);
  }
}

/** The tags of a transient queue as of now. */
export function heartbeatTags(): Record<string, string> {
  return { [HEARTBEAT_TAG]: String(Date.now()) };
}

/**
 * Resolves for an error saying the queue does not exist (another process deleted it first),
 * rejects with any other.
 */
export function ignoreGone(error: unknown): Promise<void> {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "QueueDoesNotExist" ? Promise.resolve() : Promise.reject(error);
}
