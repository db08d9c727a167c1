/**
 * The dead letters of a Kafka service: a compacted topic keyed by (topic, group, event id); a
 * replayed letter is deleted with a tombstone. A reader consumes the topic from the beginning into
 * memory and, before answering, catches up with the topic's end offsets.
 *
 * @module
 */

import type { Consumer } from "kafkajs";
import type { DeadLetter } from "../adapter.ts";
import type { KafkaContext } from "./kafka_adapter.ts";

/** The compaction key of a dead letter. */
export function deadLetterKey(letter: Pick<DeadLetter, "envelope" | "group">): string {
  return JSON.stringify([letter.envelope.topic, letter.group, letter.envelope.id]);
}

/** Materialises the dead-letter topic. */
export class DeadLetterReader {
  readonly #context: KafkaContext;
  readonly #letters = new Map<string, DeadLetter>();
  readonly #positions = new Map<number, bigint>();
  #consumer: Promise<Consumer> | null = null;

  constructor(context: KafkaContext) {
    this.#context = context;
  }

  /** The live dead letters, newest first, once the reader has caught up with the topic's end. */
  async current(): Promise<DeadLetter[]> {
    this.#consumer ??= this.#start();
    await this.#consumer;
    const ends = await this.#context.admin.fetchTopicOffsets(this.#context.deadLetterTopic);
    const deadline = Date.now() + 30_000;
    while (!ends.every((end) => (this.#positions.get(end.partition) ?? 0n) >= BigInt(end.high))) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return [...this.#letters.values()].sort((a, b) => b.failed_at.localeCompare(a.failed_at));
  }

  /** Drops a letter at once (its tombstone follows through the topic). */
  forget(key: string): void {
    this.#letters.delete(key);
  }

  /** Stops reading. */
  async close(): Promise<void> {
    const consumer = await this.#consumer?.catch(() => null);
    await consumer?.disconnect();
  }

  async #start(): Promise<Consumer> {
    const consumer = this.#context.kafka.consumer({
      groupId: `${this.#context.settings.prefix}.dlq-reader.${crypto.randomUUID()}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.#context.deadLetterTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const key = message.key?.toString() ?? "";
        if (message.value === null) this.#letters.delete(key);
        else this.#letters.set(key, JSON.parse(message.value.toString()) as DeadLetter);
        this.#positions.set(partition, BigInt(message.offset) + 1n);
        return Promise.resolve();
      },
    });
    return consumer;
  }
}
