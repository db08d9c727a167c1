/**
 * The dead letters of the denokv adapter: kept under `[ROOT, "dlq", topic, group, id]`, listed
 * newest first, and replayed by enqueueing each again (attempt count reset) in the atomic
 * operation that deletes it, so that a letter is replayed once even when two replays race.
 *
 * @module
 */

import {
  type DeadLetter,
  type EventEnvelope,
  PUBLISH_GROUP,
  type ReplayOptions,
} from "../adapter.ts";
import { whileLocked } from "../../internal/denokv/mod.ts";
import { deadLetterOf, newestFirst, withAttempt } from "../_support/mod.ts";
import { queueMessage, ROOT, undeliveredKey } from "./_publisher.ts";

/**
 * The dead letters of a topic (or of every topic), newest first.
 *
 * @param kv the open database
 * @param topic the topic; every topic when omitted
 * @returns the dead letters
 */
export async function storedDeadLetters(kv: Deno.Kv, topic?: string): Promise<DeadLetter[]> {
  const prefix = topic === undefined ? [ROOT, "dlq"] : [ROOT, "dlq", topic];
  const letters: DeadLetter[] = [];
  for await (const entry of kv.list<DeadLetter>({ prefix })) letters.push(entry.value);
  return letters.sort(newestFirst);
}

/**
 * Enqueues a topic's dead letters again (those of `options.ids`, or all), each for its group. A
 * dead letter of `PUBLISH_GROUP` is published (to every group), then deleted: a crash in between
 * replays it again (at least once).
 *
 * @param kv the open database
 * @param at the topic, which letters, and the adapter's publish
 * @returns how many were replayed
 */
export async function replayStored(
  kv: Deno.Kv,
  at: {
    topic: string;
    options: ReplayOptions;
    publish: (envelope: EventEnvelope) => Promise<void>;
  },
): Promise<number> {
  const { topic, options } = at;
  const wanted = options.ids ? new Set(options.ids) : undefined;
  let count = 0;
  for await (const entry of kv.list<DeadLetter>({ prefix: [ROOT, "dlq", topic] })) {
    const letter = entry.value;
    if (wanted && !wanted.has(letter.envelope.id)) continue;
    const envelope = withAttempt(letter.envelope, 1);
    if (letter.group === PUBLISH_GROUP) {
      await at.publish(envelope);
      const removed = await whileLocked(() => kv.atomic().check(entry).delete(entry.key).commit());
      if (removed.ok) count++;
      continue;
    }
    const message = queueMessage(topic, letter.group, JSON.stringify(envelope));
    const result = await whileLocked(() =>
      kv.atomic().check(entry).delete(entry.key)
        .enqueue(message, { keysIfUndelivered: [undeliveredKey(message, envelope.id)] })
        .commit()
    );
    if (result.ok) count++;
  }
  return count;
}

/** Stores the dead letter of an envelope for a group (one per group and envelope id). */
export async function storeDeadLetter(
  kv: Deno.Kv,
  at: { topic: string; group: string; envelope: EventEnvelope; error: string },
): Promise<void> {
  const letter = deadLetterOf(at.envelope, { group: at.group, error: at.error });
  await whileLocked(() => kv.set([ROOT, "dlq", at.topic, at.group, at.envelope.id], letter));
}
