/**
 * Errors of the CLI.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/**
 * A command line the command cannot act on (`--id` and `--all` together): printed with the
 * command's usage, exit code 2, like the errors the parser finds.
 */
export class CliUsageError extends RohasError {
  /** Creates the error.
   *
   * @param message what is wrong with the command line
   */
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}
