/**
 * SQS queue names and URLs: a queue per (topic, group) named `<queue_prefix><topic>__<group>`, a
 * dead-letter queue `<queue_prefix>_dlq`, created on first use and cached; the groups of a topic are
 * found by listing queues with the topic's name prefix.
 *
 * @module
 */

import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { fit, subjectToken } from "../_support/mod.ts";

/** Attributes of every queue the adapter creates. */
export interface QueueSettings {
  prefix: string;
  visibilityTimeoutS: number;
  retentionS: number;
  /** How long a topic's list of group queues is reused before listing again. */
  groupsTtlMs: number;
}

/** Names, creates and finds queues. */
export class Queues {
  readonly #client: SQSClient;
  readonly #settings: QueueSettings;
  readonly #urls = new Map<string, Promise<string>>();
  readonly #groups = new Map<string, { at: number; urls: Promise<string[]> }>();

  constructor(client: SQSClient, settings: QueueSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  /** The name of a group's queue (SQS allows 80 characters of `[A-Za-z0-9_-]`). */
  groupQueue(topic: string, group: string): string {
    return fit(`${this.#topicPrefix(topic)}${subjectToken(group)}`);
  }

  /** The name of the dead-letter queue. */
  get deadLetterQueue(): string {
    return fit(`${this.#settings.prefix}_dlq`);
  }

  /**
   * The URL of a queue, creating it when missing; `tags` and `retentionS` apply when it is created
   * here (a transient group's queue, sqs/_transient.ts).
   */
  url(
    name: string,
    created: { tags?: Record<string, string>; retentionS?: number } = {},
  ): Promise<string> {
    let url = this.#urls.get(name);
    if (!url) {
      url = this.#create(name, created);
      url.catch(() => this.#urls.delete(name));
      this.#urls.set(name, url);
    }
    return url;
  }

  /** The URLs of every group queue of a topic (cached for `groupsTtlMs`). */
  groupUrls(topic: string): Promise<string[]> {
    const cached = this.#groups.get(topic);
    if (cached && Date.now() - cached.at < this.#settings.groupsTtlMs) return cached.urls;
    const urls = this.#list(this.#topicPrefix(topic));
    urls.catch(() => this.#groups.delete(topic));
    this.#groups.set(topic, { at: Date.now(), urls });
    return urls;
  }

  /** Forgets a topic's cached group list (after this process created a group queue). */
  invalidate(topic: string): void {
    this.#groups.delete(topic);
  }

  /** Forgets a queue's URL and its topic's group list (after it was deleted). */
  forget(name: string, topic: string): void {
    this.#urls.delete(name);
    this.#groups.delete(topic);
  }

  #topicPrefix(topic: string): string {
    return `${this.#settings.prefix}${subjectToken(topic)}__`;
  }

  async #create(
    name: string,
    extra: { tags?: Record<string, string>; retentionS?: number },
  ): Promise<string> {
    const known = await this.#client.send(new GetQueueUrlCommand({ QueueName: name })).catch(
      () => null,
    );
    if (known?.QueueUrl) return known.QueueUrl;
    const created = await this.#client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(this.#settings.visibilityTimeoutS),
          MessageRetentionPeriod: String(extra.retentionS ?? this.#settings.retentionS),
        },
        ...(extra.tags ? { tags: extra.tags } : {}),
      }),
    );
    return created.QueueUrl as string;
  }

  async #list(prefix: string): Promise<string[]> {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#client.send(
        new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken }),
      );
      urls.push(...(page.QueueUrls ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    // A prefix match on names: keep only exact "<topic>__<group>" queues.
    return urls.filter((url) => (url.split("/").at(-1) ?? "").startsWith(prefix)).sort();
  }
}
