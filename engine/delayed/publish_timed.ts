/**
 * What the engine's publisher does with a publication that has a `timing`.
 *
 * @module
 */

import type { PublishOptions, PublishTiming } from "../parts.ts";
import { EngineError } from "../errors.ts";
import { InvalidEventPayloadError, type PayloadCheck } from "../events/mod.ts";
import type { DelayedEvents } from "./delayed_events.ts";

/**
 * A delayed publish goes to the delayed events store (its payload checked now, as the bus would
 * when it is published), or cancels one.
 *
 * @param at the engine's delayed events and payload check
 * @param publication the event, payload, options and timing
 * @returns whether it was scheduled (false: one with that key waits) or cancelled
 * @throws {EngineError} when the engine keeps no delayed events
 * @throws {InvalidEventPayloadError} when the payload does not match the event's type
 */
export async function publishTimed(
  at: { delayed: DelayedEvents | undefined; check: PayloadCheck | null },
  publication: { topic: string; payload: unknown; options: PublishOptions; timing: PublishTiming },
): Promise<boolean> {
  const { topic, payload, options, timing } = publication;
  const delayed = at.delayed;
  if (delayed === undefined) {
    throw new EngineError(
      `Cannot delay or cancel event "${topic}": this engine keeps no delayed events`,
    );
  }
  switch (timing.kind) {
    case "cancel":
      return await delayed.cancel(topic, timing.key);
    case "at": {
      const refusal = at.check?.(topic, payload === undefined ? null : payload);
      if (refusal) {
        const { payloadType, issues } = refusal;
        throw InvalidEventPayloadError.ofPublish({ event: topic, payloadType, details: issues });
      }
      return await delayed.schedule(topic, payload ?? null, options, timing);
    }
  }
}
