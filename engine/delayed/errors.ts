/**
 * Errors of delayed events (`engine/delayed/`).
 *
 * @module
 */

import { RohasError } from "../../errors.ts";

/** A delayed event or delivery that cannot be scheduled or fired. */
export class DelayedEventError extends RohasError {
  /** Creates the error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DelayedEventError";
  }
}
