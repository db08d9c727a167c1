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
  const delivery = new SettleOnce(envelope, mechanism);
  return { delivery, settled: () => SettleOnce.settled(delivery) };
}

/**
 * A delivery that passes its first settle call to the broker and refuses the others: one object
 * per delivery, its operations methods rather than closures (every event makes one).
 */
class SettleOnce implements Delivery {
  readonly envelope: EventEnvelope;
  readonly #mechanism: DeliveryMechanism;
  #settled = false;

  constructor(envelope: EventEnvelope, mechanism: DeliveryMechanism) {
    this.envelope = envelope;
    this.#mechanism = mechanism;
  }

  /** Whether a settle call was made (even if it is still running). */
  static settled(delivery: SettleOnce): boolean {
    return delivery.#settled;
  }

  ack(): Promise<void> {
    return this.#refusal("ack") ?? this.#mechanism.ack();
  }

  retry(delayMs: number, error: string): Promise<void> {
    return this.#refusal("retry") ?? this.#mechanism.retry(Math.max(0, delayMs), error);
  }

  deadLetter(error: string): Promise<void> {
    return this.#refusal("deadLetter") ?? this.#mechanism.deadLetter(error);
  }

  /** Settles it now, or the rejection of a second settle call. */
  #refusal(how: string): Promise<never> | undefined {
    if (!this.#settled) {
      this.#settled = true;
      return undefined;
    }
    return Promise.reject(new DeliverySettledError(this.envelope.id, how));
  }
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
  const delivery = new SettleOnce(options.envelope, options.mechanism);
  try {
    await handler(delivery);
  } catch (error) {
    if (SettleOnce.settled(delivery)) options.onError(error);
  }
  return SettleOnce.settled(delivery);
}
