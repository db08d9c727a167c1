/**
 * ISO 8601 timestamp text, shared between calls in the same millisecond: under load many records
 * are stamped within one millisecond, and each would otherwise build a Date and a new string.
 *
 * @module
 */

/** The last time formatted and its text. */
const last = { ms: Number.NaN, text: "" };

/** ISO 8601 text of a time; calls with the same millisecond get the same string.
 *
 * @param ms milliseconds since the epoch (default now)
 * @returns the time as `YYYY-MM-DDTHH:mm:ss.sssZ`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { isoTime } from "./iso_time.ts";
 * assertEquals(isoTime(0), "1970-01-01T00:00:00.000Z");
 * ```
 */
export function isoTime(ms: number = Date.now()): string {
  if (ms !== last.ms) {
    last.ms = ms;
    last.text = new Date(ms).toISOString();
  }
  return last.text;
}
