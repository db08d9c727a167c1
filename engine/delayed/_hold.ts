/**
 * A handler's schema `delay` (`on <handler> { delay: 10s }`) in the event wiring.
 *
 * @module
 */

import type { EventEnvelope } from "../../adapters/mod.ts";
import type { EventSpec, SubscriptionSpec } from "../app_model.ts";
import type { EngineParts } from "../parts.ts";
import { EngineError } from "../errors.ts";
import { flowMeter } from "../_flow_metrics.ts";
import type { DelayedEvents } from "./delayed_events.ts";

/** What {@linkcode holdFor} gives the wiring. */
export interface HeldHandler {
  /** Removes the group's runner (when its subscription closes). */
  unregister: () => void;
  /** Wraps the group's delivery handler: a delivery not yet due is held instead. */
  handle: (
    handle: (e: EventEnvelope) => Promise<void>,
  ) => (e: EventEnvelope) => Promise<void>;
}

/**
 * A handler's `delay`: a delivery younger than the delay is handed to the delayed events store
 * (acknowledged here, durable there) and runs when due through `run` (the limits, the batch, the
 * handler), in whichever instance claims it. The delay counts from the event's publish time.
 *
 * @param spec the event
 * @param sub the handler's subscription (its `delay_ms`)
 * @param ctx how to run a due delivery, the delayed events, the counter to settle, telemetry
 * @returns the handler's wrapper and its unregistration, or null without a delay
 * @throws {EngineError} when the handler has a delay and the engine keeps no delayed events
 */
export function holdFor(
  spec: EventSpec,
  sub: SubscriptionSpec,
  ctx: {
    run: (e: EventEnvelope) => Promise<void>;
    delayed: DelayedEvents | undefined;
    /** Told when a delivery was handed over (a one-shot run does not wait for it). */
    settle: () => void;
    parts: Pick<EngineParts, "telemetry">;
  },
): HeldHandler | null {
  const delayMs = sub.controls?.delay_ms;
  if (delayMs === undefined || delayMs <= 0) return null;
  const delayed = ctx.delayed;
  if (delayed === undefined) {
    throw new EngineError(
      `Cannot subscribe handler "${sub.handler.name}" with delay: this engine keeps no delayed events`,
    );
  }
  const target = { event: spec.event, handler: sub.handler.name, group: sub.group };
  const meter = flowMeter(ctx.parts, { handler: sub.handler.name, control: "delay" });
  return {
    unregister: delayed.register(sub.group, ctx.run),
    handle: (handle: (e: EventEnvelope) => Promise<void>) => async (e: EventEnvelope) => {
      const dueAt = Date.parse(e.timestamp) + delayMs;
      if (!(dueAt > Date.now())) return await handle(e);
      await delayed.hold(target, e, dueAt);
      meter.held(1);
      ctx.settle();
    },
  };
}
