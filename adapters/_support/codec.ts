/**
 * Envelope (de)serialisation and name encoding shared by the broker adapters.
 *
 * @module
 */

import type { DeadLetter, EventEnvelope } from "../adapter.ts";
import { BrokerError } from "./errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The JSON bytes of an envelope. */
export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  return encoder.encode(JSON.stringify(envelope));
}

/** Parses an envelope from JSON bytes or text; rejects anything that is not envelope-shaped. */
export function decodeEnvelope(data: Uint8Array | string): EventEnvelope {
  const text = typeof data === "string" ? data : decoder.decode(data);
  const value = JSON.parse(text) as Partial<EventEnvelope> | null;
  if (
    value === null || typeof value !== "object" || typeof value.id !== "string" ||
    typeof value.topic !== "string" || typeof value.metadata !== "object" ||
    value.metadata === null
  ) {
    throw new BrokerError(`Invalid event envelope: "${text.slice(0, 80)}"`);
  }
  return value as EventEnvelope;
}

/**
 * Encodes a name into `[A-Za-z0-9-]` plus `_XX` escapes, so that any topic or group name is a
 * valid, unambiguous token in subjects, stream, queue and consumer names.
 */
export function subjectToken(name: string): string {
  let token = "";
  for (const char of name) {
    token += /^[A-Za-z0-9-]$/.test(char)
      ? char
      : `_${(char.codePointAt(0) as number).toString(16).toUpperCase()}_`;
  }
  return token;
}

/** Shortens a name over `max` characters, keeping it unique with a hash suffix. */
export function fit(name: string, max = 80): string {
  if (name.length <= max) return name;
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return `${name.slice(0, max - 9)}-${(hash >>> 0).toString(16).padStart(8, "0")}`;
}

/**
 * A copy of an envelope with another `metadata.attempt`: the next attempt of a retry, or 1 for a
 * replayed dead letter.
 *
 * @param envelope the envelope, left unchanged
 * @param attempt the attempt of the copy
 * @returns the copy
 */
export function withAttempt(envelope: EventEnvelope, attempt: number): EventEnvelope {
  return { ...envelope, metadata: { ...envelope.metadata, attempt } };
}

/** What {@linkcode deadLetterOf} records besides the envelope. */
export interface DeadLetterOptions {
  /** The consumer group whose handler failed. */
  group: string;
  /** The last error. */
  error: string;
  /** When it failed, in epoch milliseconds. Default now. */
  at?: number;
}

/**
 * The dead letter of an envelope that failed for good in one group.
 *
 * @param envelope the envelope as last delivered
 * @param options the group, the error and the time
 * @returns the dead letter to store
 */
export function deadLetterOf(envelope: EventEnvelope, options: DeadLetterOptions): DeadLetter {
  const failed_at = new Date(options.at ?? Date.now()).toISOString();
  return { envelope, group: options.group, error: options.error, failed_at };
}

/**
 * Orders dead letters newest first (by `failed_at`), as `listDeadLetters` returns them.
 *
 * @param a one dead letter
 * @param b another
 * @returns negative when `a` failed later than `b`
 */
export function newestFirst(a: DeadLetter, b: DeadLetter): number {
  return a.failed_at < b.failed_at ? 1 : a.failed_at > b.failed_at ? -1 : 0;
}
