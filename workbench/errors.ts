/**
 * Errors of the workbench.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/** A workbench request failed with an HTTP status; the handler turns it into a JSON body. */
export class WorkbenchError extends RohasError {
  /** The HTTP status to answer with. */
  readonly status: number;

  /** Creates the error.
   *
   * @param status the HTTP status
   * @param message the JSON `error` text
   * @param options the underlying `cause`
   */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkbenchError";
    this.status = status;
  }
}
