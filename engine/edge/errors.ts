/**
 * Errors of the edge processes.
 *
 * @module
 */

import { RohasError } from "../../errors.ts";

/** An edge could not start, or work it handed to the main isolate failed there. */
export class EdgeError extends RohasError {
  /** Creates an edge error.
   *
   * @param message what went wrong
   * @param options the underlying cause
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EdgeError";
  }
}
