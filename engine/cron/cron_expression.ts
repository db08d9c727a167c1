/**
 * Cron expressions, read the way a Rohas project writes them (on `npm:croner`):
 *
 * - 5 fields, classic: `minute hour day-of-month month day-of-week`, day-of-week 0-7 with 0 and 7 =
 *   Sunday; day-of-month and day-of-week both restricted means either matches (Vixie cron).
 * - 6 fields, the original's format: `second minute hour day-of-month month day-of-week`,
 *   day-of-week 1-7 with **1 = Sunday** ... 7 = Saturday (names `Sun`...`Sat` too); both day
 *   fields restricted means both must match, as in the original's `cron` crate.
 * - 7 fields: the 6-field format plus a year (1-9999).
 * - `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly` nicknames.
 *
 * Times are evaluated in UTC unless a time zone (IANA name) is given.
 *
 * @module
 */

import { Cron, type CronOptions } from "croner";
import { InvalidCronExpressionError } from "./errors.ts";

/** The time zone schedules run in when none is given. */
export const DEFAULT_CRON_TIMEZONE = "UTC";

/** Options of {@linkcode nextCronRuns}. */
export interface NextRunsOptions {
  /** IANA time zone. Default `UTC`. */
  timezone?: string;
  /** Runs strictly after this instant are listed. Default now. */
  from?: Date;
}

/**
 * Checks a cron expression and time zone.
 *
 * @param expression a 5-, 6- or 7-field expression or a nickname
 * @param timezone an IANA time zone; default UTC
 * @returns null when valid, else the problem as a sentence naming the expression
 *
 * @example
 * ```ts
 * import { validateCronExpression } from "./cron_expression.ts";
 * console.assert(validateCronExpression("0 30 9 * * Mon-Fri") === null);
 * console.assert(validateCronExpression("* * *") !== null);
 * ```
 */
export function validateCronExpression(expression: string, timezone?: string): string | null {
  try {
    compileCron(expression, timezone);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The next run times of an expression.
 *
 * @param expression a 5-, 6- or 7-field expression or a nickname
 * @param count how many runs to list
 * @param options time zone and starting instant
 * @returns up to `count` instants, soonest first (fewer when the schedule ends, as with a year)
 * @throws {InvalidCronExpressionError} when the expression or time zone is invalid
 *
 * @example Every hour at minute 5, second 0 (the original's 6-field format)
 * ```ts
 * import { nextCronRuns } from "./cron_expression.ts";
 * const runs = nextCronRuns("0 5 * * * *", 2, { from: new Date("2026-01-01T00:01:00Z") });
 * console.assert(runs[0]?.toISOString() === "2026-01-01T00:05:00.000Z");
 * ```
 */
export function nextCronRuns(
  expression: string,
  count: number,
  options: NextRunsOptions = {},
): Date[] {
  return compileCron(expression, options.timezone).nextRuns(count, options.from ?? new Date());
}

/**
 * Croner options for an expression: its mode and weekday numbering by field count.
 *
 * @param expression the expression (checked for its field count only)
 * @param timezone the IANA time zone; default UTC
 * @returns options for `new Cron`
 * @throws {InvalidCronExpressionError} when the field count or time zone is wrong
 */
export function cronOptions(expression: string, timezone?: string): CronOptions {
  const zone = checkTimezone(expression, timezone ?? DEFAULT_CRON_TIMEZONE);
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 1 && fields[0]?.startsWith("@")) return { timezone: zone };
  switch (fields.length) {
    case 5:
      return { timezone: zone, mode: "5-part", alternativeWeekdays: false, domAndDow: false };
    case 6:
    case 7:
      return {
        timezone: zone,
        mode: fields.length === 6 ? "6-part" : "7-part",
        alternativeWeekdays: true,
        domAndDow: true,
      };
    default:
      throw new InvalidCronExpressionError(
        expression,
        `Invalid cron expression "${expression}": expected 5 fields (minute first), 6 (second first) or 7 (with a year), found ${fields.length}`,
      );
  }
}

/**
 * Parses an expression into a paused croner job (no callback, no timer) for computing run times.
 *
 * @param expression the expression
 * @param timezone the IANA time zone; default UTC
 * @returns the parsed schedule
 * @throws {InvalidCronExpressionError} when it does not parse
 */
export function compileCron(expression: string, timezone?: string): Cron {
  const options = cronOptions(expression, timezone);
  try {
    return new Cron(expression.trim(), { ...options, paused: true });
  } catch (error) {
    throw new InvalidCronExpressionError(expression, describe(expression, error), { cause: error });
  }
}

function describe(expression: string, error: unknown): string {
  const detail = String((error as Error).message ?? error).replace(/^Cron\w*: /, "");
  const fields = expression.trim().split(/\s+/).length;
  const hint = fields >= 6 && /dayOfWeek/.test(detail)
    ? " (6- and 7-field expressions number days of the week 1-7 from Sunday)"
    : "";
  return `Invalid cron expression "${expression}": ${detail}${hint}`;
}

function checkTimezone(expression: string, timezone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return timezone;
  } catch (error) {
    throw new InvalidCronExpressionError(
      expression,
      `Invalid time zone "${timezone}" for cron expression "${expression}": expected an IANA name like "Europe/Berlin"`,
      { cause: error },
    );
  }
}
