/**
 * Errors of the handler runtimes. They reach the engine as {@linkcode SerializedError}s inside an
 * {@linkcode InvocationResult}, so each sets a stable `name` the engine can switch on.
 *
 * @module
 */

import { RohasError } from "../../errors.ts";

/** A handler file or export could not be found. */
export class HandlerNotFoundError extends RohasError {
  /** @param message what was tried, e.g. `Handler "CreateUser" not found: ...` */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandlerNotFoundError";
  }
}

/** A handler module failed to load (syntax error, failing top-level code, failed import). */
export class HandlerLoadError extends RohasError {
  /** @param message names the file and, for syntax errors, `file:line:col` */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandlerLoadError";
  }
}

/** A handler call ran past its `timeoutMs`. */
export class HandlerTimeoutError extends RohasError {
  /** @param message names the handler and the timeout */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandlerTimeoutError";
  }
}

/** A handler was denied a Deno permission; the message names the config key to change. */
export class HandlerPermissionError extends RohasError {
  /** @param message Deno's denial plus the config hint */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandlerPermissionError";
  }
}

/** The Worker running a call was terminated (stuck or crashed) before the call finished. */
export class WorkerRestartedError extends RohasError {
  /** @param message starts with `Worker restarted` and says why */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkerRestartedError";
  }
}

/** The Worker running a call ended by itself (`Deno.exit()` or `close()` in handler code). */
export class WorkerExitedError extends RohasError {
  /** @param message starts with `Worker restarted` and names the handlers it was running */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkerExitedError";
  }
}

/** Handler code running in the server's own isolate called `Deno.exit()` (refused, see the exit guard). */
export class HandlerExitError extends RohasError {
  /** @param message what was called; the runtime adds the handler's name in front */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandlerExitError";
  }
}

/** The runtime was closed before or during the call. */
export class RuntimeClosedError extends RohasError {
  /** @param message names the handler that could not run */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeClosedError";
  }
}

/**
 * A call of a sequence that had not started when its sequence was ended (its subscription or the
 * runtime closing): it never ran, so the caller hands its work back rather than failing it.
 */
export class CallAbandonedError extends RohasError {
  /** @param message names the handler whose call did not run */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CallAbandonedError";
  }
}

/** The runtime cannot do what was asked (for example reload in-process modules). */
export class RuntimeUnsupportedError extends RohasError {
  /** @param message what is unsupported and why */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeUnsupportedError";
  }
}

/**
 * `state.broadcast` without `{ to: "<Endpoint>" }` outside a WebSocket handler: only a WebSocket
 * handler has an endpoint of its own to broadcast to.
 */
export class BroadcastTargetError extends RohasError {
  /** @param message names the handler and says how to name the endpoint */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BroadcastTargetError";
  }
}

/**
 * The message of a {@linkcode BroadcastTargetError} for handler `name`.
 *
 * @param name the handler's schema name
 * @returns the message
 * @example
 * ```ts
 * import { match as assertMatch } from "node:assert/strict";
 * import { missingBroadcastTarget } from "./errors.ts";
 * assertMatch(missingBroadcastTarget("Notify"), /^Cannot broadcast from handler "Notify"/);
 * ```
 */
export function missingBroadcastTarget(name: string): string {
  return `Cannot broadcast from handler "${name}": only a WebSocket handler has an endpoint of ` +
    `its own; name one with state.broadcast(message, { to: "<Endpoint>" })`;
}

/** `state.triggerEvent` options or a `state.cancelEvent` key a handler gave that cannot be used. */
export class InvalidTriggerOptionsError extends RohasError {
  /** @param message names the call and the event, says what is wrong and what is expected */
  constructor(message: string) {
    super(message);
    this.name = "InvalidTriggerOptionsError";
  }
}
