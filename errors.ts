/**
 * The root of every error Rohas throws. Each subsystem has its own `errors.ts` with subclasses.
 *
 * @module
 */

/** Base class of every Rohas error; `name` is set by each subclass, `cause` is forwarded. */
export class RohasError extends Error {
  /** Creates an error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RohasError";
  }
}
