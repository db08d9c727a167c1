/**
 * Errors of the durable timer store (`engine/timers/`).
 *
 * @module
 */

import { RohasError } from "../../errors.ts";

/** Root of every timer store error. */
export class TimerError extends RohasError {
  /** Creates a timer error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimerError";
  }
}

/** A timer id, due time or option the store cannot take. */
export class TimerInputError extends TimerError {
  /** Creates the error.
   *
   * @param message what is wrong and what is expected
   */
  constructor(message: string) {
    super(message);
    this.name = "TimerInputError";
  }
}
