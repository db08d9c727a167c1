/**
 * Errors of code generation.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/** Code generation could not run or could not write its files. */
export class CodegenError extends RohasError {
  /** Creates an error.
   *
   * @param message what went wrong, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CodegenError";
  }
}
