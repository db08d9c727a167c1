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
