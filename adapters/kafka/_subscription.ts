/**
 * One handler group's subscription on the Kafka adapter: a consumer group reading the topic and the
 * group's retry topic. Up to `concurrency` messages of a partition are handled at once; an offset
 * is committed once it and every offset before it are settled, so a crash redelivers (never skips)
 * what was not settled.
 *
 * @module
 */

import type { Batch, Consumer, EachBatchPayload, KafkaMessage } from "kafkajs";
import { Buffer } from "node:buffer";
import type { EventEnvelope, Subscription } from "../adapter.ts";
import {
  type BrokerSubscriptionSpec,
  decodeEnvelope,
  type DeliveryMechanism,
  InFlight,
  retryWithBackoff,
  runDelivery,
  Semaphore,
  withAttempt,
} from "../_support/mod.ts";
import { DUE_HEADER, type KafkaContext } from "./kafka_adapter.ts";
import { removeTransientGroup } from "./_transient.ts";

/** What a subscription is for. */
export interface KafkaSubscriptionSpec extends BrokerSubscriptionSpec<KafkaSubscription> {
  groupId: string;
  /** The group and its retry topic are deleted at close (kafka/_transient.ts). */
  transient: boolean;
}

/** Settled offsets of one partition above its committed offset. */
interface PartitionState {
  committed: bigint;
  settled: Set<bigint>;
  running: Set<bigint>;
  /** The offset the settled prefix reached, and the last one committed. */
  wanted: bigint;
  sent: bigint;
  commits: Promise<void> | null;
}

const HEARTBEAT_MS = 2000;

/** A live subscription. */
export class KafkaSubscription implements Subscription {
  readonly topic: string;
  readonly group: string;
  readonly #context: KafkaContext;
  readonly #spec: KafkaSubscriptionSpec;
  readonly #slots: Semaphore;
  readonly #inFlight = new InFlight();
  readonly #partitions = new Map<string, PartitionState>();
  readonly #mainTopic: string;
  readonly #retryTopic: string;
  #consumer: Consumer | null = null;
  #closing: Promise<void> | null = null;
  #stopping = false;
  #startAt: Map<number, bigint> | null = null;

  constructor(context: KafkaContext, spec: KafkaSubscriptionSpec) {
    this.#context = context;
    this.#spec = spec;
    this.topic = spec.topic;
    this.group = spec.group;
    this.#slots = new Semaphore(spec.concurrency);
    this.#mainTopic = context.topicName(spec.topic);
    this.#retryTopic = context.retryTopic(spec.topic, spec.group);
  }

  /** Creates the topics, starts a new group at the topic's end, and joins the group. */
  async start(): Promise<void> {
    await this.#context.ensureTopics([this.#mainTopic, this.#retryTopic]);
    await this.#context.ensureTopics([this.#context.deadLetterTopic], true);
    await this.#startAtEnd();
    const consumer = this.#context.kafka.consumer({
      groupId: this.#spec.groupId,
      maxWaitTimeInMs: 250,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      allowAutoTopicCreation: false,
    });
    this.#consumer = consumer;
    const joined = Promise.withResolvers<void>();
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.#partitions.clear();
      const assigned = event.payload.memberAssignment[this.#mainTopic] ?? [];
      // kafkajs accepts commits only once its runner is marked running, right after this event.
      setTimeout(() => this.#commitStart(consumer, assigned).finally(() => joined.resolve()), 0);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.#mainTopic, this.#retryTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 2 * this.#context.settings.partitions,
      eachBatch: (payload) => this.#batch(payload),
    });
    // A new group's start is committed on joining; a restart before any ack must find it.
    if (this.#startAt) await race(joined.promise, 30_000);
  }

  async #commitStart(consumer: Consumer, partitions: number[]): Promise<void> {
    const startAt = this.#startAt;
    if (!startAt) return;
    const entries = partitions.map((partition) => ({
      topic: this.#mainTopic,
      partition,
      offset: (startAt.get(partition) ?? 0n).toString(),
    }));
    if (entries.length > 0) await consumer.commitOffsets(entries).catch(this.#context.onError);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#stopping = true;
    await this.#inFlight.idle();
    await this.#consumer?.disconnect().catch(this.#context.onError);
    if (this.#spec.transient) {
      await removeTransientGroup(this.#context.admin, {
        groupId: this.#spec.groupId,
        retryTopic: this.#retryTopic,
      }).catch(this.#context.onError);
    }
    this.#spec.onClosed(this);
  }

  /**
   * A group without committed offsets starts at the topic's end as of now, so it sees what is
   * published after `subscribe()` resolved (kafkajs' own "latest" reset happens later, after the
   * group join, and could miss those). The skipped offsets are committed as the consumer passes.
   */
  async #startAtEnd(): Promise<void> {
    const { admin } = this.#context;
    const [committed] = await whileTransient(() =>
      admin.fetchOffsets({ groupId: this.#spec.groupId, topics: [this.#mainTopic] })
    );
    if (!committed || committed.partitions.some((partition) => partition.offset !== "-1")) return;
    const ends = await whileTransient(() => admin.fetchTopicOffsets(this.#mainTopic));
    this.#startAt = new Map(ends.map((end) => [end.partition, BigInt(end.high)]));
  }

  async #batch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const state = this.#state(batch);
    for (const message of batch.messages) {
      if (this.#stopped(payload)) break;
      const offset = BigInt(message.offset);
      if (this.#beforeStart(batch, offset)) {
        void this.#settled(batch, state, offset);
        payload.resolveOffset(message.offset);
        continue;
      }
      const skip = offset < state.committed || state.settled.has(offset) ||
        state.running.has(offset);
      if (!skip) {
        const due = Number(message.headers?.[DUE_HEADER]?.toString() ?? "0");
        if (!(await this.#waitUntil(due, payload))) break;
        await this.#acquire(payload);
        if (this.#stopped(payload)) {
          this.#slots.release();
          break;
        }
        this.#dispatch(batch, message, state);
      }
      // The fetch position moves on; commits (ours) only follow settled offsets.
      payload.resolveOffset(message.offset);
    }
    await this.#heartbeat(payload);
  }

  #dispatch(batch: Batch, message: KafkaMessage, state: PartitionState): void {
    const offset = BigInt(message.offset);
    state.running.add(offset);
    const task = this.#handle(batch, message, state).then((settled) => {
      state.running.delete(offset);
      this.#slots.release();
      // Redeliver from the first unsettled offset; settled ones after it are skipped.
      if (!settled && !this.#stopping) {
        this.#consumer?.seek({
          topic: batch.topic,
          partition: batch.partition,
          offset: state.committed.toString(),
        });
      }
    });
    this.#inFlight.track(task).catch(this.#context.onError);
  }

  /** Handles one message; true when the handler settled it. */
  async #handle(batch: Batch, message: KafkaMessage, state: PartitionState): Promise<boolean> {
    const offset = BigInt(message.offset);
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message.value?.toString() ?? "");
    } catch (error) {
      this.#context.onError(error);
      this.#settled(batch, state, offset);
      return true;
    }
    return await runDelivery(this.#spec.handler, {
      envelope,
      mechanism: this.#mechanism(batch, state, offset, envelope),
      onError: this.#context.onError,
    });
  }

  #mechanism(
    batch: Batch,
    state: PartitionState,
    offset: bigint,
    envelope: EventEnvelope,
  ): DeliveryMechanism {
    const context = this.#context;
    return {
      ack: () => this.#settled(batch, state, offset),
      retry: async (delayMs) => {
        const next = withAttempt(envelope, envelope.metadata.attempt + 1);
        await context.send(this.#retryTopic, envelope.id, Buffer.from(JSON.stringify(next)), {
          [DUE_HEADER]: String(Date.now() + delayMs),
        });
        await this.#settled(batch, state, offset);
      },
      deadLetter: async (error) => {
        await context.deadLetter(envelope, this.#spec.group, error);
        await this.#settled(batch, state, offset);
      },
    };
  }

  /** Marks an offset settled and commits the contiguous prefix. */
  #settled(batch: Batch, state: PartitionState, offset: bigint): Promise<void> {
    state.settled.add(offset);
    const before = state.committed;
    while (state.settled.delete(state.committed)) state.committed++;
    if (state.committed === before) return Promise.resolve();
    state.wanted = state.committed;
    state.commits ??= this.#commit(batch, state).finally(() => state.commits = null);
    return state.commits;
  }

  /** Commits the partition's wanted offset; settles arriving meanwhile share the next commit. */
  async #commit(batch: Batch, state: PartitionState): Promise<void> {
    await Promise.resolve();
    while (state.sent < state.wanted) {
      const offset = state.wanted;
      const entry = { topic: batch.topic, partition: batch.partition, offset: offset.toString() };
      await this.#consumer?.commitOffsets([entry]).catch(this.#context.onError);
      state.sent = offset;
    }
  }

  #state(batch: Batch): PartitionState {
    const key = `${batch.topic}\u0000${batch.partition}`;
    let state = this.#partitions.get(key);
    if (!state) {
      const first = batch.messages[0];
      state = {
        committed: BigInt(first?.offset ?? "0"),
        settled: new Set(),
        running: new Set(),
        wanted: BigInt(first?.offset ?? "0"),
        sent: BigInt(first?.offset ?? "0"),
        commits: null,
      };
      this.#partitions.set(key, state);
    }
    return state;
  }

  #beforeStart(batch: Batch, offset: bigint): boolean {
    if (!this.#startAt || batch.topic !== this.#mainTopic) return false;
    return offset < (this.#startAt.get(batch.partition) ?? 0n);
  }

  #stopped(payload: EachBatchPayload): boolean {
    return this.#stopping || !payload.isRunning() || payload.isStale();
  }

  /** Waits for a retry's due time, heartbeating; false when stopped meanwhile. */
  async #waitUntil(due: number, payload: EachBatchPayload): Promise<boolean> {
    while (Date.now() < due) {
      if (this.#stopped(payload)) return false;
      await sleep(Math.min(due - Date.now(), 100));
      await this.#heartbeat(payload);
    }
    return !this.#stopped(payload);
  }

  async #acquire(payload: EachBatchPayload): Promise<void> {
    const slot = this.#slots.acquire();
    while (!(await race(slot, HEARTBEAT_MS))) await this.#heartbeat(payload);
  }

  async #heartbeat(payload: EachBatchPayload): Promise<void> {
    await payload.heartbeat().catch(() => {});
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** True when `promise` settled within `ms`. */
async function race(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Retries an admin request while the broker answers with a retriable error (a group coordinator
 * still loading its offsets after a broker start, a leader election), which kafkajs' admin client
 * passes through for offset fetches.
 *
 * @param request the admin request
 * @param options how long to keep trying (default 30 s) and the first delay (default 200 ms)
 * @returns the request's result; a non-retriable error, or the last one at the deadline, rejects
 */
export function whileTransient<T>(
  request: () => Promise<T>,
  options: { deadlineMs?: number; initialMs?: number } = {},
): Promise<T> {
  return retryWithBackoff(request, {
    deadlineMs: options.deadlineMs ?? 30_000,
    initialMs: options.initialMs ?? 200,
    fatal: (error) => (error as { retriable?: unknown } | null)?.retriable !== true,
  });
}
