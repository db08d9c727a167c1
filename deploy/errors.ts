/**
 * Errors of the embedded entry (`main.ts`) and of Deploy mode.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/**
 * The app cannot run as an embedded entry, or not on Deno Deploy: the message names the setting
 * and what to change.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { DeployError } from "./errors.ts";
 * assert(new DeployError("Cannot run on Deno Deploy: x").name === "DeployError");
 * ```
 */
export class DeployError extends RohasError {
  /** Creates the error.
   *
   * @param message what cannot run and what to change
   * @param options the underlying cause
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DeployError";
  }
}
