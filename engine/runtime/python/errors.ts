/**
 * Errors of the Python runtime.
 *
 * @module
 */

import { RohasError } from "../../../errors.ts";

/** Base class of every error the Python runtime throws. */
export class PythonRuntimeError extends RohasError {
  /** Creates an error; `cause` is forwarded. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PythonRuntimeError";
  }
}

/** No libpython could be loaded; the message lists every path tried and why it failed. */
export class PythonLibraryNotFoundError extends PythonRuntimeError {
  /** The libraries tried, in order, each with the reason it was not usable. */
  readonly tried: readonly string[];

  /** Creates the error from the list of attempts (`"<path>: <reason>"`). */
  constructor(tried: readonly string[], options?: ErrorOptions) {
    const list = tried.length === 0 ? "nothing to try" : tried.map((t) => `\n  ${t}`).join("");
    super(
      `Cannot load libpython: set [runtime.python] library or ROHAS_PYTHON_LIB; tried:${list}`,
      options,
    );
    this.name = "PythonLibraryNotFoundError";
    this.tried = tried;
  }
}

/** The interpreter loaded but the bridge could not start (the message carries the traceback). */
export class PythonStartError extends PythonRuntimeError {
  /** Creates an error; `cause` is forwarded. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PythonStartError";
  }
}
