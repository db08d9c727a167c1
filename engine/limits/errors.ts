/**
 * Errors of the flow limits (`concurrency`, `rate`, `throttle`).
 *
 * @module
 */

import { EngineError } from "../errors.ts";

/** The base of every error of the flow limits. */
export class LimitsError extends EngineError {
  /** Creates a limits error.
   *
   * @param message what went wrong
   * @param options the underlying cause
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LimitsError";
  }
}

/**
 * The shared state could not be read or written while enforcing a limit: the delivery fails and
 * the bus retries it.
 *
 * @example
 * ```ts
 * import { LimitsStateError } from "./errors.ts";
 * const error = new LimitsStateError("take a concurrency slot");
 * if (error.message !== "Cannot take a concurrency slot in the shared state") throw error;
 * ```
 */
export class LimitsStateError extends LimitsError {
  /** Creates the error.
   *
   * @param what what could not be done, such as `take a concurrency slot`
   * @param options the store's error
   */
  constructor(what: string, options?: ErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`Cannot ${what} in the shared state${cause}`, options);
    this.name = "LimitsStateError";
  }
}

/**
 * A delivery waiting for a slot or a budget when its subscription closed: it was not run, and the
 * broker delivers it again.
 */
export class LimitsClosedError extends LimitsError {
  /** Creates the error.
   *
   * @param control the control the delivery waited for
   */
  constructor(control: string) {
    super(`Cannot wait for the '${control}' control: the subscription closed`);
    this.name = "LimitsClosedError";
  }
}
