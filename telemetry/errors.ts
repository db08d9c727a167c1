/**
 * Errors of the telemetry subsystem.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/** A telemetry store could not be opened, written or queried. */
export class TelemetryError extends RohasError {
  /** Creates the error.
   *
   * @param message what failed, with the detail after a colon
   * @param options the underlying `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TelemetryError";
  }
}
