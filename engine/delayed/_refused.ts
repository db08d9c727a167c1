/**
 * A delayed publish whose payload the schema refuses when it comes due: the schema changed since
 * it was scheduled (a deploy, a hot reload). Publishing it again would be refused again, so it is
 * dead-lettered whole, for group `*` (`PUBLISH_GROUP`: the publish, not one handler), with the
 * refusal as its error. It then sits with every other dead letter (`rohas dlq list`, the
 * workbench's Dead letters page), and `rohas dlq replay` publishes it to every handler, through
 * the same payload check, once the schema or the payload is fixed.
 *
 * @module
 */

import { type EventEnvelope, PUBLISH_GROUP } from "../../adapters/mod.ts";
import type { Telemetry } from "../../telemetry/mod.ts";
import type { PublishOptions } from "../parts.ts";
import { deadLetterHeld, type HeldDeadLetter, type HeldFailure } from "../_held_failure.ts";
import { publishedMetadata } from "../events/mod.ts";

/** The delayed publish that came due. */
export interface RefusedPublish {
  /** The event. */
  event: string;
  /** Its payload, as scheduled. */
  payload: unknown;
  /** Its cause, source, idempotency key and `traceparent`, as scheduled. */
  options: PublishOptions;
}

/**
 * Dead-letters a refused delayed publish (or logs it as dropped when the adapter cannot).
 *
 * @param ctx where the log goes, the bus's dead-lettering, the handler label to log
 * @param refused the event, payload and publish options
 * @param error the refusal
 * @returns true once stored; false when the adapter cannot dead-letter (logged as dropped)
 * @throws what the adapter throws when it cannot store it now: the timer fires again later
 */
export async function deadLetterRefused(
  ctx: {
    telemetry: Pick<Telemetry, "log">;
    deadLetter: HeldDeadLetter | undefined;
    handler: string;
  },
  refused: RefusedPublish,
  error: unknown,
): Promise<boolean> {
  const envelope = refusedEnvelope(refused);
  const failure: HeldFailure = {
    kind: "delay",
    handler: ctx.handler,
    group: PUBLISH_GROUP,
    envelope,
    error,
  };
  return await deadLetterHeld(ctx.telemetry, ctx.deadLetter, failure);
}

/**
 * The envelope the publish would have had: its cause (`parent_id`, `traceparent`) links a replay's
 * deliveries to the trace that scheduled it, and its idempotency key still holds.
 */
function refusedEnvelope({ event, payload, options }: RefusedPublish): EventEnvelope {
  return {
    id: crypto.randomUUID(),
    topic: event,
    payload: payload ?? null,
    timestamp: new Date().toISOString(),
    metadata: publishedMetadata(options, crypto.randomUUID()),
  };
}
