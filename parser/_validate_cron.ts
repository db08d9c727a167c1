/**
 * Cron checks: the expression (through croner, the library the scheduler runs on) and the time zone.
 *
 * Field counts: 5 fields are classic cron (minute first, day-of-week 0-7 with 0 and 7 = Sunday);
 * 6 fields are the original's format (seconds first, day-of-week 1-7 with 1 = Sunday, croner's
 * `alternativeWeekdays`); 7 fields add a year. Croner's nicknames (`@daily`...) are accepted.
 *
 * @module
 */

import { Cron, type CronOptions } from "croner";
import type { Schema } from "./ast.ts";
import { VALIDATION_CODES } from "./_validate_codes.ts";
import type { ValidationContext } from "./_validate_context.ts";

/** The croner options that give a cron expression its meaning, by field count; null if unsupported.
 *
 * @param expression the cron expression
 * @returns the options, or null when the field count is not 5, 6 or 7 (or a nickname)
 */
export function cronOptionsFor(expression: string): CronOptions | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 1 && fields[0]!.startsWith("@")) return { paused: true };
  switch (fields.length) {
    case 5:
      return { paused: true, mode: "5-part" };
    case 6:
      return { paused: true, mode: "6-part", alternativeWeekdays: true };
    case 7:
      return { paused: true, mode: "7-part", alternativeWeekdays: true };
    default:
      return null;
  }
}

/** Why a cron expression is invalid, or null when it is valid.
 *
 * @param expression the cron expression
 * @returns the problem or null
 */
export function cronProblem(expression: string): string | null {
  const options = cronOptionsFor(expression);
  if (options === null) {
    const count = expression.trim().split(/\s+/).length;
    return `expected 5 fields (minute first), 6 (seconds first) or 7 (with a year), got ${count}`;
  }
  const outOfRange = rangeProblem(expression);
  if (outOfRange !== null) return outOfRange;
  try {
    new Cron(expression, options).stop();
    return null;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, "");
  }
}

interface FieldRange {
  name: string;
  min: number;
  max: number;
}

const SECOND = { name: "second", min: 0, max: 59 };
const MINUTE = { name: "minute", min: 0, max: 59 };
const HOUR = { name: "hour", min: 0, max: 23 };
const DAY = { name: "day-of-month", min: 1, max: 31 };
const MONTH = { name: "month", min: 1, max: 12 };
const CLASSIC_WEEKDAY = { name: "day-of-week", min: 0, max: 7 };
const QUARTZ_WEEKDAY = { name: "day-of-week", min: 1, max: 7 };
const YEAR = { name: "year", min: 1, max: 9999 };

const FIELD_RANGES: Record<number, FieldRange[]> = {
  5: [MINUTE, HOUR, DAY, MONTH, CLASSIC_WEEKDAY],
  6: [SECOND, MINUTE, HOUR, DAY, MONTH, QUARTZ_WEEKDAY],
  7: [SECOND, MINUTE, HOUR, DAY, MONTH, QUARTZ_WEEKDAY, YEAR],
};

/**
 * Plain numbers out of their field's range. Checked before croner because its messages are off by
 * one for some fields (`32` in day-of-month reads "Invalid value for day: 31") and because in
 * Quartz numbering it quietly maps day-of-week 8 to Sunday, where the original allows only 1-7.
 */
function rangeProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  const ranges = FIELD_RANGES[fields.length] ?? [];
  for (const [index, range] of ranges.entries()) {
    for (const part of fields[index]!.split(",")) {
      const values = part.split("/")[0]!.split("#")[0]!.split("-");
      for (const value of values) {
        if (!/^\d+$/.test(value)) continue;
        if (Number(value) < range.min || Number(value) > range.max) {
          return `${range.name} ${value} is out of range ${range.min}-${range.max}`;
        }
      }
    }
  }
  return null;
}

/** Whether a string is a time zone the runtime knows (IANA names such as `Europe/Berlin`).
 *
 * @param timezone the name
 * @returns true when `Intl` accepts it
 */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Reports invalid cron expressions and unknown time zones.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkCrons(schema: Schema, context: ValidationContext): void {
  // Big schemas repeat a few schedules and zones; croner and Intl are the slowest checks here.
  const schedules = memoize(cronProblem);
  const zones = memoize(isKnownTimezone);
  for (const cron of schema.crons) {
    const problem = cron.schedule === "" ? null : schedules(cron.schedule);
    if (problem !== null) {
      context.error(
        context.propertySpan(cron, "schedule"),
        VALIDATION_CODES.invalidCron,
        `Invalid cron expression '${cron.schedule}' of Cron '${cron.name}': ${problem}`,
      );
    }
    if (cron.timezone !== undefined && !zones(cron.timezone)) {
      context.error(
        context.propertySpan(cron, "timezone"),
        VALIDATION_CODES.unknownTimezone,
        `Unknown time zone '${cron.timezone}' of Cron '${cron.name}': use an IANA name such as 'Europe/Berlin'`,
      );
    }
  }
}

function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, compute(key));
    return cache.get(key)!;
  };
}
