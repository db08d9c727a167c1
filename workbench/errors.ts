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
  /** The JSON `details` of the answer (what exactly was refused), when there are some. */
  readonly details: unknown;

  /** Creates the error.
   *
   * @param status the HTTP status
   * @param message the JSON `error` text
   * @param options the underlying `cause`, and the answer's `details`
   */
  constructor(status: number, message: string, options?: ErrorOptions & { details?: unknown }) {
    super(message, options);
    this.name = "WorkbenchError";
    this.status = status;
    this.details = options?.details;
  }
}

/** The workbench cannot be served with this configuration (such as no API key under `start`). */
export class WorkbenchConfigError extends RohasError {
  /** Creates the error.
   *
   * @param message what is wrong and how to fix it
   * @param options the underlying `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkbenchConfigError";
  }
}
