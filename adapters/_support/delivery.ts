/**
 * Builds the {@linkcode Delivery} a broker adapter hands to its subscriber: exactly one settle call
 * is accepted, and the adapter learns afterwards whether the handler settled it at all.
 *
 * @module
 */

import type { Delivery, EventEnvelope } from "../adapter.ts";
import { DeliverySettledError } from "../errors.ts";

/** How one broker settles one message. */
export interface DeliveryMechanism {
  ack(): Promise<void>;
  retry(delayMs: number, error: string): Promise<void>;
  deadLetter(error: string): Promise<void>;
}

/** A delivery plus whether it was settled. */
export interface TrackedDelivery {
  readonly delivery: Delivery;
  /** True once a settle call was made (even if it is still running). */
  settled(): boolean;
}

/**
 * Wraps a mechanism so that only the first settle call reaches the broker.
 *
 * @param envelope the delivered envelope
 * @param mechanism the broker's settle operations
 * @returns the delivery and its settled flag
 */
export function createDelivery(
  envelope: EventEnvelope,
  mechanism: DeliveryMechanism,
): TrackedDelivery {
  let settled = false;
  const once = (how: string): void => {
    if (settled) throw new DeliverySettledError(envelope.id, how);
    settled = true;
  };
  const delivery: Delivery = {
    envelope,
    ack: () => guarded(() => once("ack"), () => mechanism.ack()),
    retry: (delayMs, error) =>
      guarded(() => once("retry"), () => mechanism.retry(Math.max(0, delayMs), error)),
    deadLetter: (error) => guarded(() => once("deadLetter"), () => mechanism.deadLetter(error)),
  };
  return { delivery, settled: () => settled };
}

function guarded(check: () => void, action: () => Promise<void>): Promise<void> {
  try {
    check();
  } catch (error) {
    return Promise.reject(error);
  }
  return action();
}

/** What {@linkcode runDelivery} delivers and where it reports. */
export interface RunDeliveryOptions {
  /** The envelope to deliver. */
  envelope: EventEnvelope;
  /** How the broker settles it. */
  mechanism: DeliveryMechanism;
  /** Receives an error the handler threw after it settled the delivery. */
  onError(error: unknown): void;
}

/**
 * Hands one delivery to a handler. Only the first settle call reaches the broker; an error thrown
 * after the handler settled is reported, never swallowed; one thrown before is the caller's to act
 * on, through the result.
 *
 * @param handler the subscriber's handler
 * @param options the envelope, its settle mechanism and the error sink
 * @returns whether the handler settled the delivery (if not, the caller hands the message back)
 */
export async function runDelivery(
  handler: (delivery: Delivery) => Promise<void>,
  options: RunDeliveryOptions,
): Promise<boolean> {
  const tracked = createDelivery(options.envelope, options.mechanism);
  try {
    await handler(tracked.delivery);
  } catch (error) {
    if (tracked.settled()) options.onError(error);
  }
  return tracked.settled();
}
