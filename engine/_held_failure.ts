/**
 * A run the engine held itself that failed for good: a debounced burst's run, or a delivery held
 * for a handler's `delay` (and, through `engine/delayed/_refused.ts`, a delayed publish the schema
 * refused when it came due, for group `*`). The broker forgot those events once the engine stored
 * them, so its retries and dead letters cannot reach them; after `[adapter] max_attempts` runs the
 * engine dead-letters the event itself, through the event bus, for the handler's consumer group. It
 * then sits with every other dead letter (`rohas dlq list`, the workbench's Dead letters page),
 * counted in `rohas_events_dead_lettered_total`, and `rohas dlq replay` delivers it to that handler
 * again. An adapter without `deadLetter` (one written before it, adapters/README.md) cannot store
 * it: the event is then logged as dropped.
 *
 * @module
 */

import type { EventEnvelope } from "../adapters/mod.ts";
import type { LogEntry, Telemetry } from "../telemetry/mod.ts";
import { DEAD_LETTER_SPAN } from "./_invoke.ts";

/**
 * Dead-letters an envelope for a consumer group outside a delivery (`EventBus.deadLetter`).
 * Resolves false when the adapter cannot; rejects when it could not store it now.
 */
export type HeldDeadLetter = (
  envelope: EventEnvelope,
  group: string,
  error: unknown,
) => Promise<boolean>;

/** What held the failed run. */
export type HeldKind = "debounce" | "delay";

/** A held run that failed for good. */
export interface HeldFailure {
  /** What held it. */
  kind: HeldKind;
  /** The handler's name. */
  handler: string;
  /** The handler's consumer group: the dead letter's, and where a replay goes. */
  group: string;
  /** The event as last run; `metadata.attempt` counts the runs. */
  envelope: EventEnvelope;
  /** The last run's error. */
  error: unknown;
}

/**
 * Dead-letters a held run that failed for good and logs it (at error level, as the event wiring
 * logs a delivery's dead letter); logs it as dropped when the adapter cannot dead-letter.
 *
 * @param telemetry where the log entry goes
 * @param deadLetter the bus's dead-lettering; undefined: none (the event is dropped)
 * @param failure the handler, its group, the event and the error
 * @returns true once stored and logged; false when the adapter cannot dead-letter (logged as
 *   dropped)
 * @throws what `deadLetter` throws (the adapter could not store it now): the caller's timer fires
 *   again later, so the event is not lost
 */
export async function deadLetterHeld(
  telemetry: Pick<Telemetry, "log">,
  deadLetter: HeldDeadLetter | undefined,
  failure: HeldFailure,
): Promise<boolean> {
  const { envelope, group, error } = failure;
  const stored = deadLetter === undefined ? false : await deadLetter(envelope, group, error);
  telemetry.log(heldFailureLog(failure, stored));
  return stored;
}

const LABELS = { debounce: "Debounced", delay: "Delayed" } as const;

function heldFailureLog(failure: HeldFailure, stored: boolean): LogEntry {
  const { envelope, handler, error } = failure;
  const outcome = stored ? "dead-lettered" : "dropped (the adapter cannot dead-letter it)";
  return givenUpLog(envelope, {
    headline: `${LABELS[failure.kind]} event "${envelope.topic}" ${outcome}`,
    handler,
    error,
    fields: { held_by: failure.kind },
  });
}

/** What {@linkcode givenUpLog} says of an event given up. */
export interface GivenUp {
  /** The start of the message, such as `Event "OrderPlaced" dead-lettered`. */
  headline: string;
  /** The handler that gave up. */
  handler: string;
  /** Its last error. */
  error: unknown;
  /** The trace to link, when the delivery had one. */
  traceId?: string;
  /** Fields added to the entry's own. */
  fields?: Record<string, string>;
}

/**
 * The error-level entry of an event given up for good (dead-lettered or dropped), for the
 * terminal and the workbench: the one shape of a delivery's dead letter and of a held run's.
 *
 * @param envelope the event as last run; `metadata.attempt` counts the runs
 * @param given the message's start, the handler, its error and the trace
 * @returns the log entry
 */
export function givenUpLog(envelope: EventEnvelope, given: GivenUp): LogEntry {
  const attempts = envelope.metadata.attempt;
  const { error } = given;
  const message = error instanceof Error ? error.message : String(error);
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: "rohas::events",
    message: `${given.headline} for "${given.handler}" after ${attempts} ` +
      `attempt${attempts === 1 ? "" : "s"}: ${message}`,
    fields: {
      event: envelope.topic,
      event_id: envelope.id,
      attempts: String(attempts),
      error: error instanceof Error ? error.name : "Error",
      message,
      ...given.fields,
    },
    ...(given.traceId ? { trace_id: given.traceId } : {}),
    handler: given.handler,
    span_name: DEAD_LETTER_SPAN,
    span_fields: {},
  };
}
