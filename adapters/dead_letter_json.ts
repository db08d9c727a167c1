/**
 * A dead letter as JSON: what `rohas dlq list --json` prints, what the workbench API answers
 * under `/api/workbench/dead-letters` and what the workbench page reads. One shape, declared once.
 *
 * @module
 */

import type { DeadLetter } from "./adapter.ts";

/** One dead letter as JSON (snake_case keys, like the rest of the workbench API). */
export interface DeadLetterJson {
  /** The envelope id; `replay` takes it. */
  id: string;
  /** The event (the topic it was published to, without `.dlq`). */
  topic: string;
  /** The consumer group whose handler gave up. */
  group: string;
  /** The last error. */
  error: string;
  /** ISO 8601: when it was dead-lettered. */
  failed_at: string;
  /** Deliveries tried. */
  attempt: number;
  /** The trace of the delivery that failed last. */
  trace_id: string;
  /** The event's payload. */
  payload: unknown;
}

/**
 * The JSON form of a dead letter.
 *
 * @param letter a dead letter, as an adapter lists it
 * @returns its JSON form
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { deadLetterJson } from "./mod.ts";
 *
 * const json = deadLetterJson({
 *   group: "shop.send_welcome",
 *   error: "SMTP down",
 *   failed_at: "2026-01-01T00:00:00.000Z",
 *   envelope: {
 *     id: "e-1",
 *     topic: "UserCreated",
 *     payload: { id: 7 },
 *     timestamp: "2026-01-01T00:00:00.000Z",
 *     metadata: { trace_id: "t-1", parent_id: null, source: "api:CreateUser", attempt: 5 },
 *   },
 * });
 * assertEquals([json.topic, json.attempt, json.trace_id], ["UserCreated", 5, "t-1"]);
 * ```
 */
export function deadLetterJson(letter: DeadLetter): DeadLetterJson {
  const { envelope } = letter;
  return {
    id: envelope.id,
    topic: envelope.topic,
    group: letter.group,
    error: letter.error,
    failed_at: letter.failed_at,
    attempt: envelope.metadata.attempt,
    trace_id: envelope.metadata.trace_id,
    payload: envelope.payload,
  };
}
