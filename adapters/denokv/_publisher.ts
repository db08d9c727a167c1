/**
 * Publishing in the denokv adapter: one queue message per registered group of the topic, the
 * idempotency key claimed in the same atomic operation, and concurrent publishes merged into one
 * atomic commit (falling back to one commit each when any check of the merged one fails). Also the
 * registry of each topic's groups, which the commit checks so that a group registered meanwhile is
 * never skipped.
 *
 * @module
 */

import type { EventEnvelope } from "../adapter.ts";
import { whileLocked } from "../../internal/denokv/mod.ts";
import { BrokerError } from "../_support/mod.ts";
import type { QueueMessage } from "./_group.ts";

/** Every key of the adapter starts with it. */
export const ROOT = "rohas";

/** Publishes merged into one atomic commit at most; keeps clear of Deno KV's per-commit limits. */
const BATCH_PUBLISHES = 32;
const BATCH_BYTES = 256 * 1024;
const COMMIT_TRIES = 8;

/** Options of {@linkcode Publisher}. */
export interface PublisherOptions {
  /** How long an idempotency key is remembered, in milliseconds. */
  windowMs: number;
  /** How long events of topics with no group are kept, in milliseconds. */
  retentionMs: number;
  /** The clock of the idempotency window, in milliseconds since the epoch. */
  now: () => number;
}

interface Publish {
  readonly envelope: EventEnvelope;
  readonly text: string;
  readonly done: PromiseWithResolvers<void>;
  /** The stored idempotency key, when it exists but expired (Deno KV removes them lazily). */
  expired?: KeyEntry;
}

/** Keys read at once by `getMany` at most. */
const GET_MANY = 10;

type GroupsEntry = Deno.KvEntryMaybe<string[]>;
type KeyEntry = Deno.KvEntryMaybe<number>;

/** Publishes envelopes and registers groups. */
export class Publisher {
  readonly #kv: Deno.Kv;
  readonly #options: PublisherOptions;
  readonly #registered = new Map<string, GroupsEntry>();
  #pending: Publish[] = [];
  #flushing: Promise<void> | undefined;
  #published = 0;

  constructor(kv: Deno.Kv, options: PublisherOptions) {
    this.#kv = kv;
    this.#options = options;
  }

  /** Resolves once the event is committed (or dropped as a duplicate). */
  publish(envelope: EventEnvelope): Promise<void> {
    const done = Promise.withResolvers<void>();
    this.#pending.push({ envelope, text: JSON.stringify(envelope), done });
    this.#flushing ??= this.#flush();
    return done.promise;
  }

  /** Waits for the publishes asked for so far. */
  async idle(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** Adds a group to its topic's registered groups. */
  register(topic: string, group: string): Promise<void> {
    return this.#changeGroups(
      topic,
      group,
      (groups) => groups.includes(group) ? null : [...groups, group],
    );
  }

  /** Removes a group from its topic's registered groups: publishes no longer enqueue for it. */
  unregister(topic: string, group: string): Promise<void> {
    return this.#changeGroups(
      topic,
      group,
      (groups) => groups.includes(group) ? groups.filter((name) => name !== group) : null,
    );
  }

  /** Applies `change` to a topic's groups by check-and-set; null from it changes nothing. */
  async #changeGroups(
    topic: string,
    group: string,
    change: (groups: string[]) => string[] | null,
  ): Promise<void> {
    for (let attempt = 0; attempt < COMMIT_TRIES; attempt++) {
      const entry = await this.#groupsOf(topic, true);
      const value = change(entry.value ?? []);
      if (value === null) return;
      const result = await whileLocked(() =>
        this.#kv.atomic().check(entry).set(entry.key, value).commit()
      );
      if (result.ok) {
        this.#registered.set(topic, { key: entry.key, value, versionstamp: result.versionstamp });
        return;
      }
    }
    throw new BrokerError(
      `Cannot change group "${group}" of "${topic}" in Deno KV: the topic's groups kept changing`,
    );
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = await this.#dropDuplicates(this.#takeBatch());
      if (batch.length > 1 && await this.#commitBatch(batch).catch(() => false)) {
        for (const publish of batch) publish.done.resolve();
        continue;
      }
      for (const publish of batch) {
        await this.#commitOne(publish).then(publish.done.resolve, publish.done.reject);
      }
    }
    this.#flushing = undefined;
  }

  #takeBatch(): Publish[] {
    let bytes = 0;
    let count = 0;
    while (count < this.#pending.length && count < BATCH_PUBLISHES) {
      bytes += (this.#pending[count] as Publish).text.length;
      if (count > 0 && bytes > BATCH_BYTES) break;
      count++;
    }
    return this.#pending.splice(0, count);
  }

  /** Resolves the publishes whose idempotency key is taken; returns the others. */
  async #dropDuplicates(batch: Publish[]): Promise<Publish[]> {
    const keyed = batch.filter((publish) =>
      publish.envelope.metadata.idempotency_key !== undefined
    );
    const now = this.#options.now();
    const taken = new Set<Publish>();
    for (let from = 0; from < keyed.length; from += GET_MANY) {
      const chunk = keyed.slice(from, from + GET_MANY);
      const keys = chunk.map(({ envelope }) => idempotencyKey(envelope.topic, keyOf(envelope)));
      const entries = await whileLocked(() => this.#kv.getMany<number[]>(keys));
      for (const [i, entry] of entries.entries()) {
        const publish = chunk[i] as Publish;
        if (entry.versionstamp === null) continue;
        if (entry.value > now) taken.add(publish);
        else publish.expired = entry;
      }
    }
    for (const publish of taken) publish.done.resolve();
    return taken.size === 0 ? batch : batch.filter((publish) => !taken.has(publish));
  }

  /** Commits several publishes at once; false when any check failed (then one at a time). */
  #commitBatch(batch: Publish[]): Promise<boolean> {
    return whileLocked(() => this.#tryBatch(batch));
  }

  async #tryBatch(batch: Publish[]): Promise<boolean> {
    const atomic = this.#kv.atomic();
    const topics = new Set<string>();
    const claimed = new Set<string>();
    for (const { envelope, text, expired } of batch) {
      const key = envelope.metadata.idempotency_key;
      const scoped = `${envelope.topic}\u0000${key}`;
      if (key !== undefined && claimed.has(scoped)) return false;
      if (key !== undefined) claimed.add(scoped);
      const groups = await this.#groupsOf(envelope.topic, false);
      if (!topics.has(envelope.topic)) atomic.check(groups);
      topics.add(envelope.topic);
      this.#add(atomic, envelope, text, { groups: groups.value ?? [], expired });
    }
    return (await atomic.commit()).ok;
  }

  async #commitOne(publish: Publish): Promise<void> {
    const { envelope, text } = publish;
    const key = envelope.metadata.idempotency_key;
    let expired = publish.expired;
    for (let attempt = 0; attempt < COMMIT_TRIES; attempt++) {
      const groups = await this.#groupsOf(envelope.topic, attempt > 0);
      const committed = await whileLocked(() => {
        const atomic = this.#kv.atomic().check(groups);
        this.#add(atomic, envelope, text, { groups: groups.value ?? [], expired });
        return atomic.commit();
      });
      if (committed.ok) return;
      if (key === undefined) continue;
      const idempotency = idempotencyKey(envelope.topic, key);
      const known = await whileLocked(() => this.#kv.get<number>(idempotency));
      // Deno KV removes expired keys lazily: one past its window is replaced, not obeyed.
      if (known.versionstamp !== null && known.value > this.#options.now()) return;
      expired = known;
    }
    throw new BrokerError(
      `Cannot publish to "${envelope.topic}" in Deno KV: the topic's groups kept changing`,
    );
  }

  #add(
    atomic: Deno.AtomicOperation,
    envelope: EventEnvelope,
    text: string,
    state: { groups: string[]; expired?: KeyEntry | undefined },
  ): void {
    const key = envelope.metadata.idempotency_key;
    if (key !== undefined) {
      const idempotency = idempotencyKey(envelope.topic, key);
      const expires = this.#options.now() + this.#options.windowMs;
      atomic.check(state.expired ?? { key: idempotency, versionstamp: null })
        .set(idempotency, expires, { expireIn: this.#options.windowMs });
    }
    if (state.groups.length === 0) {
      // Oldest first: by time, then by publish order within this process.
      const at = `${`${Date.now()}`.padStart(15, "0")}-${`${this.#published++}`.padStart(12, "0")}`;
      const unhandled = [ROOT, "unhandled", envelope.topic, at, envelope.id];
      atomic.set(unhandled, text, { expireIn: this.#options.retentionMs });
    }
    for (const group of state.groups) {
      const message = queueMessage(envelope.topic, group, text);
      atomic.enqueue(message, { keysIfUndelivered: [undeliveredKey(message, envelope.id)] });
    }
  }

  async #groupsOf(topic: string, fresh: boolean): Promise<GroupsEntry> {
    const known = this.#registered.get(topic);
    if (known && !fresh) return known;
    const entry = await whileLocked(() => this.#kv.get<string[]>([ROOT, "groups", topic]));
    this.#registered.set(topic, entry);
    return entry;
  }
}

/** The queue message of one envelope for one group. */
export function queueMessage(topic: string, group: string, text: string): QueueMessage {
  return { rohas: "event", topic, group, text };
}

/** Where Deno KV keeps a message it gave up delivering. */
export function undeliveredKey(message: QueueMessage, id: string): Deno.KvKey {
  return [ROOT, "undelivered", message.topic, message.group, id];
}

function keyOf(envelope: EventEnvelope): string {
  return envelope.metadata.idempotency_key ?? "";
}

function idempotencyKey(topic: string, key: string): Deno.KvKey {
  return [ROOT, "idem", topic, key];
}

/**
 * Deletes the messages parked for a group (published while no subscriber of it ran here), when a
 * transient group is gone.
 *
 * @param kv the open database
 * @param topic the group's topic
 * @param group the group
 */
export async function dropParked(kv: Deno.Kv, topic: string, group: string): Promise<void> {
  for await (const entry of kv.list({ prefix: [ROOT, "parked", topic, group] })) {
    await whileLocked(() => kv.delete(entry.key));
  }
}
