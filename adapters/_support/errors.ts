/**
 * Errors of the broker adapters, under {@linkcode AdapterError}.
 *
 * @module
 */

import { AdapterError } from "../errors.ts";

/** A broker refused or failed an operation after the adapter started. */
export class BrokerError extends AdapterError {
  /** Creates the error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokerError";
  }
}

/** The broker could not be reached at start-up; the message names the address and the setting. */
export class BrokerUnreachableError extends AdapterError {
  /** The address that was tried. */
  readonly address: string;

  /** Creates the error.
   *
   * @param broker the adapter type, for example `nats`
   * @param address what was tried, for example `nats://127.0.0.1:4222`
   * @param options `setting` names where the address came from; `hint` says how to fix it
   */
  constructor(
    broker: string,
    address: string,
    options: { setting: string; hint?: string; cause?: unknown },
  ) {
    const detail = options.cause instanceof Error ? options.cause.message : String(options.cause);
    const hint = options.hint ? ` (${options.hint})` : "";
    super(
      `Cannot reach the ${broker} broker at "${address}" (set by ${options.setting}): ${detail}${hint}`,
      { cause: options.cause },
    );
    this.name = "BrokerUnreachableError";
    this.address = address;
  }
}
