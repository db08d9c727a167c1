/**
 * Errors of the event adapters. Every adapter throws these (or its own subclasses of
 * {@linkcode AdapterError}) so callers can tell adapter failures apart by class, never by message.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/** Root of every adapter error. */
export class AdapterError extends RohasError {
  /** Creates an adapter error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AdapterError";
  }
}

/** `[adapter] type` names no known adapter. *
 * @example A type no adapter has
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { createAdapter, UnknownAdapterError } from "./mod.ts";
 * const error = await createAdapter({
 *   type: "redis", buffer_size: 1000, max_attempts: 5, backoff_ms: 500,
 *   max_backoff_ms: 60000, settings: {},
 * }).catch((error: unknown) => error);
 * assert(error instanceof UnknownAdapterError);
 * ```
 */
export class UnknownAdapterError extends AdapterError {
  /** The type as written in the config. */
  readonly type: string;

  /** Creates the error.
   *
   * @param type the unknown type
   * @param accepted the types that are accepted
   */
  constructor(type: string, accepted: readonly string[]) {
    const list = accepted.map((name) => `"${name}"`).join(", ");
    super(`Unknown adapter type "${type}" in [adapter] type: expected one of ${list}`);
    this.name = "UnknownAdapterError";
    this.type = type;
  }
}

/** The adapter (or the subscription) was closed before the call. *
 * @example Publishing after close
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { AdapterClosedError, createMemoryAdapter } from "./mod.ts";
 * const adapter = createMemoryAdapter();
 * await adapter.close();
 * const event = {
 *   id: "1", topic: "Ping", payload: {}, timestamp: new Date().toISOString(),
 *   metadata: { trace_id: "t", parent_id: null, source: "workbench", attempt: 1 },
 * };
 * const error = await adapter.publish(event).catch((error: unknown) => error);
 * assert(error instanceof AdapterClosedError);
 * ```
 */
export class AdapterClosedError extends AdapterError {
  /** Creates the error.
   *
   * @param type the adapter type, for example `memory`
   * @param action what was attempted, for example `publish to "UserCreated"`
   */
  constructor(type: string, action: string) {
    super(`Adapter "${type}" is closed: cannot ${action}`);
    this.name = "AdapterClosedError";
  }
}

/** A delivery was settled (ack, retry, deadLetter) a second time. */
export class DeliverySettledError extends AdapterError {
  /** Creates the error.
   *
   * @param id the envelope id
   * @param how the settle call that was refused
   */
  constructor(id: string, how: string) {
    super(`Delivery of event "${id}" is already settled: cannot ${how} it again`);
    this.name = "DeliverySettledError";
  }
}
