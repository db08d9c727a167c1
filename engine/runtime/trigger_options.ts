/**
 * The options of `state.triggerEvent(event, payload, { delay | at, key })` and the key of
 * `state.cancelEvent(event, key)`, checked at the call (TypeScript) and again where the engine plans
 * the effects of a handler (the Python bridge sends them as they were given).
 *
 * @module
 */

import { InvalidTriggerOptionsError } from "./errors.ts";

/** Options of `state.triggerEvent`: when to publish (`delay` or `at`, not both) and a key. */
export interface TriggerOptions {
  /** Publish this many milliseconds after the handler succeeds. */
  delay?: number;
  /** Publish at this time: milliseconds since the epoch, a `Date` or an ISO 8601 string. */
  at?: number | Date | string;
  /**
   * Names the delayed event for `state.cancelEvent(event, key)`. A second delayed trigger of the same
   * event with the same key, while the first waits, is ignored (the first is kept).
   */
  key?: string;
}

/** The longest key, in characters. */
export const MAX_EVENT_KEY_LENGTH = 256;

/** The longest delay: about ten years (beyond it is a unit mistake, not a plan). */
export const MAX_DELAY_MS = 10 * 365 * 24 * 3_600_000;

/** What a trigger effect carries when it is delayed: the due time and the key. */
export interface TriggerTiming {
  /** Milliseconds since the epoch; absent: publish now. */
  at?: number;
  /** The key, when given. */
  key?: string;
}

/**
 * The due time and key of `state.triggerEvent` options, checked.
 *
 * @param event the event name (for the message)
 * @param options what the handler passed (anything)
 * @param now the call's time, in milliseconds since the epoch
 * @returns the timing (empty when the event is published right away)
 * @throws {InvalidTriggerOptionsError} naming the event and what is wrong
 * @example
 * ```ts
 * import { triggerTiming } from "./trigger_options.ts";
 * const timing = triggerTiming("Reminder", { delay: 60_000, key: "order-7" }, 1_000);
 * if (timing.at !== 61_000 || timing.key !== "order-7") throw new Error("Example failed");
 * ```
 */
export function triggerTiming(event: string, options: unknown, now: number): TriggerTiming {
  if (options === undefined || options === null) return {};
  const refuse = (what: string) =>
    new InvalidTriggerOptionsError(`Invalid state.triggerEvent("${event}") options: ${what}`);
  if (typeof options !== "object" || Array.isArray(options)) {
    throw refuse(`expected an object like { delay: 5000 }, got ${describe(options)}`);
  }
  const { delay, at, key, ...rest } = options as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw refuse(`unknown option "${unknown[0]}": expected delay, at or key`);
  }
  if (delay !== undefined && at !== undefined) throw refuse("give delay or at, not both");
  const timing: TriggerTiming = {};
  if (delay !== undefined) timing.at = now + delayOf(delay, refuse);
  if (at !== undefined) timing.at = timeOf(at, refuse);
  if (key !== undefined) {
    if (timing.at === undefined) throw refuse("a key names a delayed event: give delay or at too");
    timing.key = checkEventKey(key, (what) => refuse(what));
  }
  return timing;
}

/**
 * The key of `state.cancelEvent(event, key)`, checked.
 *
 * @param event the event name (for the message)
 * @param key what the handler passed
 * @returns the key
 * @throws {InvalidTriggerOptionsError} when it is not a non-empty string of at most 256 characters
 */
export function cancelKey(event: string, key: unknown): string {
  return checkEventKey(
    key,
    (what) => new InvalidTriggerOptionsError(`Invalid state.cancelEvent("${event}") key: ${what}`),
  );
}

function checkEventKey(key: unknown, refuse: (what: string) => Error): string {
  if (typeof key !== "string" || key === "") {
    throw refuse(`key must be a non-empty string, got ${describe(key)}`);
  }
  if (key.length > MAX_EVENT_KEY_LENGTH) {
    throw refuse(`key has ${key.length} characters, at most ${MAX_EVENT_KEY_LENGTH}`);
  }
  return key;
}

function delayOf(delay: unknown, refuse: (what: string) => Error): number {
  if (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0) {
    throw refuse(`delay must be milliseconds from 0, got ${describe(delay)}`);
  }
  if (delay > MAX_DELAY_MS) {
    throw refuse(`delay ${delay} ms is more than ten years: is it in milliseconds?`);
  }
  return delay;
}

function timeOf(at: unknown, refuse: (what: string) => Error): number {
  const ms = typeof at === "number"
    ? at
    : at instanceof Date
    ? at.getTime()
    : typeof at === "string" && ISO_TIME.test(at)
    ? Date.parse(at)
    : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw refuse(
      `at must be a Date, an ISO 8601 time like "2030-01-01T09:00:00Z" or milliseconds since ` +
        `the epoch, got ${describe(at)}`,
    );
  }
  return ms;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return "an invalid Date";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
