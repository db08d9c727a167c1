/**
 * Errors of the shared state (`state.kv`).
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/** Root of every state error. */
export class StateError extends RohasError {
  /** Creates a state error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StateError";
  }
}

/** A key or value `state.kv` cannot hold (wrong part type, not JSON, too large). */
export class KvInputError extends StateError {
  /** Creates the error.
   *
   * @param message what is wrong
   */
  constructor(message: string) {
    super(message);
    this.name = "KvInputError";
  }
}

/** The backend cannot do what was asked (e.g. a multi-key atomic operation on NATS). */
export class KvUnsupportedError extends StateError {
  /** Creates the error.
   *
   * @param message what is not supported and what to use instead
   */
  constructor(message: string) {
    super(message);
    this.name = "KvUnsupportedError";
  }
}

/** `[state] type` names no known backend. */
export class UnknownStateTypeError extends StateError {
  /** The type as written in the config. */
  readonly type: string;

  /** Creates the error.
   *
   * @param type the unknown type
   * @param known the types that exist
   */
  constructor(type: string, known: readonly string[]) {
    super(`Unknown state type "${type}": expected one of ${known.map((k) => `"${k}"`).join(", ")}`);
    this.name = "UnknownStateTypeError";
    this.type = type;
  }
}

/**
 * The error a forwarded `state.kv` operation failed with, rebuilt on the asking side from its name
 * and message (what crosses a channel): `KvInputError` and `KvUnsupportedError` come back as
 * themselves, anything else as a {@linkcode StateError} that keeps the original name.
 *
 * @param error the error as it crossed
 * @returns an error to throw in the handler
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { KvUnsupportedError, reviveStateError } from "./errors.ts";
 * const error = reviveStateError({ name: "KvUnsupportedError", message: "No" });
 * equal(error instanceof KvUnsupportedError, true);
 * ```
 */
export function reviveStateError(error: { name: string; message: string }): StateError {
  switch (error.name) {
    case "KvInputError":
      return new KvInputError(error.message);
    case "KvUnsupportedError":
      return new KvUnsupportedError(error.message);
    default: {
      const revived = new StateError(error.message);
      revived.name = error.name;
      return revived;
    }
  }
}
