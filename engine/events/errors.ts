/**
 * Errors of the event bus.
 *
 * @module
 */

import { RohasError } from "../../errors.ts";

/** Root of every event bus error. */
export class EventBusError extends RohasError {
  /** Creates an event bus error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EventBusError";
  }
}

/** A retry policy value is out of range. */
export class InvalidRetryPolicyError extends EventBusError {
  /** Creates the error.
   *
   * @param key the `[adapter]` key, for example `max_attempts`
   * @param value the value given
   * @param expected what is accepted
   */
  constructor(key: string, value: unknown, expected: string) {
    super(`Invalid [adapter] ${key} "${String(value)}": expected ${expected}`);
    this.name = "InvalidRetryPolicyError";
  }
}

/** The bus was closed before the call. */
export class EventBusClosedError extends EventBusError {
  /** Creates the error.
   *
   * @param action what was attempted, for example `publish to "UserCreated"`
   */
  constructor(action: string) {
    super(`Event bus is closed: cannot ${action}`);
    this.name = "EventBusClosedError";
  }
}
