/**
 * Errors of the event bus.
 *
 * @module
 */

import { RohasError } from "../../errors.ts";
import { describeIssues, type PayloadIssue } from "./payload_check.ts";

/** Root of every event bus error. */
export class EventBusError extends RohasError {
  /** Creates an event bus error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EventBusError";
  }
}

/** A retry policy value is out of range. */
export class InvalidRetryPolicyError extends EventBusError {
  /** Creates the error.
   *
   * @param key the `[adapter]` key, for example `max_attempts`
   * @param value the value given
   * @param expected what is accepted
   */
  constructor(key: string, value: unknown, expected: string) {
    super(`Invalid [adapter] ${key} "${String(value)}": expected ${expected}`);
    this.name = "InvalidRetryPolicyError";
  }
}

/** The bus was closed before the call. */
export class EventBusClosedError extends EventBusError {
  /** Creates the error.
   *
   * @param action what was attempted, for example `publish to "UserCreated"`
   */
  constructor(action: string) {
    super(`Event bus is closed: cannot ${action}`);
    this.name = "EventBusClosedError";
  }
}

/** Options of {@linkcode InvalidEventPayloadError}. */
export interface InvalidEventPayloadOptions {
  /** The event. */
  event: string;
  /** Its payload type. */
  payloadType: string;
  /** The issues of one payload, or one entry per refused dead letter. */
  details: PayloadIssue[] | RefusedLetter[];
  /** The error this one adds context to. */
  cause?: unknown;
}

/** One dead letter a replay refused: its envelope id and what is wrong with its payload. */
export interface RefusedLetter {
  /** The envelope id. */
  id: string;
  /** Every problem found. */
  issues: PayloadIssue[];
}

/**
 * A payload does not match its event's payload type: the publish (or replay) was refused and
 * nothing was handed to the adapter. `details` lists every issue, for a 422 or a log.
 */
export class InvalidEventPayloadError extends EventBusError {
  /** The event. */
  readonly event: string;
  /** The event's payload type. */
  readonly payloadType: string;
  /** Every problem, by path (one entry per refused dead letter on a replay). */
  readonly details: PayloadIssue[] | RefusedLetter[];

  /** Creates the error.
   *
   * @param message names the event, its payload type and the first issues
   * @param options the event, its payload type, the issues; the `cause` when it adds context
   */
  constructor(message: string, options: InvalidEventPayloadOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "InvalidEventPayloadError";
    this.event = options.event;
    this.payloadType = options.payloadType;
    this.details = options.details;
  }

  /**
   * The refusal of one publish: `Cannot publish "E" <origin>: its payload does not match T: ...`.
   *
   * @param options the event, its payload type, the issues, and where the payload came from
   * @returns the error
   */
  static ofPublish(
    options: Omit<InvalidEventPayloadOptions, "details"> & {
      details: PayloadIssue[];
      origin?: string;
    },
  ): InvalidEventPayloadError {
    const from = options.origin ? ` ${options.origin}` : "";
    const message = `Cannot publish "${options.event}"${from}: its payload does not match ` +
      `${options.payloadType}: ${describeIssues(options.details)}`;
    return new InvalidEventPayloadError(message, options);
  }
}
