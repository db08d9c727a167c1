/**
 * ISO 8601 timestamp text, shared between calls in the same millisecond: under load many records
 * are stamped within one millisecond, and each would otherwise build a Date and a new string. A new
 * millisecond within the same second reuses that second's text up to the milliseconds.
 *
 * @module
 */

/** The last time formatted and its text; the last second formatted and its text up to the dot. */
const last = { ms: Number.NaN, text: "", second: Number.NaN, prefix: "" };

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
  if (ms === last.ms) return last.text;
  last.ms = ms;
  return last.text = format(ms);
}

/**
 * The text of `ms`: under load each request reads another millisecond, and `toISOString` costs
 * about 1-2 us on a loaded machine against a few dozen ns for the second's prefix and three digits.
 */
function format(ms: number): string {
  // Whole milliseconds of four-digit years only; anything else (fractions, NaN) as Date says.
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== last.second) {
    const text = new Date(ms).toISOString();
    last.second = second;
    last.prefix = text.length === 24 ? text.slice(0, 20) : "";
    return text;
  }
  if (last.prefix === "") return new Date(ms).toISOString();
  const milli = ms - second * 1000;
  return last.prefix + (milli < 10 ? "00" : milli < 100 ? "0" : "") + milli + "Z";
}
