/**
 * The key layout of the rocksdb adapter. Names are percent-encoded so that `/` only separates;
 * numbers are zero-padded so that byte order is numeric order.
 *
 * - `log/<topic>/<seq>`: the envelope JSON, an append-only log per topic
 * - `grp/<topic>/<group>`: a registered consumer group and its offset (the last seq dispatched)
 * - `fly/<topic>/<group>/<seq>`: a delivery dispatched and not settled yet
 * - `retry/<due ms>/<topic>/<group>/<id>`: a delivery waiting for its retry time (envelope JSON)
 * - `dlq/<topic>/<group>/<id>`: a dead letter (JSON)
 * - `idem/<topic>/<key>`: an idempotency key, value its expiry in ms
 * - `idx/<expiry ms>/<topic>/<key>`: the same key, ordered by expiry for clean-up
 *
 * @module
 */

/** Past every key that starts with a prefix (keys are ASCII). */
export const END = "\uffff";

/** Encodes a name as one path segment. */
export function segment(name: string): string {
  return encodeURIComponent(name);
}

/** Decodes a path segment. */
export function name(segment: string): string {
  return decodeURIComponent(segment);
}

/** A number padded to sort as bytes. */
export function pad(n: number): string {
  return String(Math.max(0, Math.floor(n))).padStart(16, "0");
}

/** The log key of one sequence number. */
export function logKey(topic: string, seq: number): string {
  return `log/${segment(topic)}/${pad(seq)}`;
}

/** The prefix of a topic's log. */
export function logPrefix(topic: string): string {
  return `log/${segment(topic)}/`;
}

/** The key of a registered group. */
export function groupKey(topic: string, group: string): string {
  return `grp/${segment(topic)}/${segment(group)}`;
}

/** The in-flight marker of one delivery. */
export function flightKey(topic: string, group: string, seq: number): string {
  return `fly/${segment(topic)}/${segment(group)}/${pad(seq)}`;
}

/** A retry entry. */
export function retryKey(dueMs: number, topic: string, group: string, id: string): string {
  return `retry/${pad(dueMs)}/${segment(topic)}/${segment(group)}/${segment(id)}`;
}

/** A dead letter. */
export function deadLetterKey(topic: string, group: string, id: string): string {
  return `dlq/${segment(topic)}/${segment(group)}/${segment(id)}`;
}

/** The prefix of dead letters, of one topic or all. */
export function deadLetterPrefix(topic?: string): string {
  return topic === undefined ? "dlq/" : `dlq/${segment(topic)}/`;
}

/** An idempotency key. */
export function idempotencyKey(topic: string, key: string): string {
  return `idem/${segment(topic)}/${segment(key)}`;
}

/** The expiry index entry of an idempotency key. */
export function expiryKey(expiresMs: number, topic: string, key: string): string {
  return `idx/${pad(expiresMs)}/${segment(topic)}/${segment(key)}`;
}

/** The parts of a key after its first `count` segments are dropped, decoded. */
export function parts(key: string): string[] {
  return key.split("/").slice(1).map(name);
}
