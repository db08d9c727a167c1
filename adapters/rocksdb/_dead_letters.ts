/**
 * The dead letters of the rocksdb adapter: stored under their topic and group
 * (`dlq/<topic>/<group>/<id>`, _keys.ts), listed newest first, and replayed by moving each back
 * into the retry schedule, due at once with its attempt count reset.
 *
 * @module
 */

import {
  type DeadLetter,
  type EventEnvelope,
  PUBLISH_GROUP,
  type ReplayOptions,
} from "../adapter.ts";
import { deadLetterOf, newestFirst, withAttempt } from "../_support/mod.ts";
import type { Db, Op } from "./_db.ts";
import * as keys from "./_keys.ts";

/**
 * The dead letters of a topic (or of every topic), newest first.
 *
 * @param db the open store
 * @param topic the topic; every topic when omitted
 * @returns the dead letters
 */
export async function storedDeadLetters(db: Db, topic?: string): Promise<DeadLetter[]> {
  const prefix = keys.deadLetterPrefix(topic);
  const entries = await db.scan({ gte: prefix, lt: prefix + keys.END });
  const letters = entries.map(([, value]) => JSON.parse(value) as DeadLetter);
  return letters.sort(newestFirst);
}

/**
 * The writes that move a topic's dead letters (those of `options.ids`, or all) to the retry
 * schedule, due `now`: a delete and a put for each. A dead letter of `PUBLISH_GROUP` is published
 * (to every group) here, and only deleted by the writes: a crash before they are written replays
 * it again (at least once).
 *
 * @param db the open store
 * @param at the topic, which letters, the time they are due, and the adapter's publish
 * @returns the operations, to write in one batch, and how many letters they replay
 */
export async function replayOps(
  db: Db,
  at: {
    topic: string;
    options: ReplayOptions;
    now: number;
    publish: (envelope: EventEnvelope) => Promise<void>;
  },
): Promise<{ ops: Op[]; replayed: number }> {
  const { topic, options, now } = at;
  const prefix = keys.deadLetterPrefix(topic);
  const wanted = options.ids ? new Set(options.ids) : undefined;
  const ops: Op[] = [];
  let replayed = 0;
  for (const [key, value] of await db.scan({ gte: prefix, lt: prefix + keys.END })) {
    const letter = JSON.parse(value) as DeadLetter;
    if (wanted && !wanted.has(letter.envelope.id)) continue;
    const envelope = withAttempt(letter.envelope, 1);
    replayed++;
    ops.push({ type: "del", key });
    if (letter.group === PUBLISH_GROUP) {
      await at.publish(envelope);
      continue;
    }
    ops.push({
      type: "put",
      key: keys.retryKey(now, topic, letter.group, envelope.id),
      value: JSON.stringify(envelope),
    });
  }
  return { ops, replayed };
}

/**
 * The write that stores the dead letter of an envelope for a group (one per group and id).
 *
 * @param envelope the envelope that failed for good
 * @param at the group, the last error and the time, in ms
 * @returns the operation
 */
export function deadLetterOp(
  envelope: EventEnvelope,
  at: { group: string; error: string; at: number },
): Op {
  const letter = deadLetterOf(envelope, at);
  const key = keys.deadLetterKey(envelope.topic, at.group, envelope.id);
  return { type: "put", key, value: JSON.stringify(letter) };
}
