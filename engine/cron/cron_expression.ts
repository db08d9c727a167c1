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
 * Times are evaluated in UTC unless a time zone (IANA name) is given. What is a valid expression is
 * the parser's rule (`validateSchema`, docs/design.md#d1-parser), so `rohas validate` and the
 * scheduler never disagree; this module adds only how a valid expression runs.
 *
 * @module
 */

import { Cron, type CronOptions } from "croner";
import { emptySchema, validateSchema, VALIDATION_CODES } from "../../parser/mod.ts";
import { InvalidCronExpressionError } from "./errors.ts";

/** The time zone schedules run in when none is given. */
export const DEFAULT_CRON_TIMEZONE = "UTC";

/** Options of {@linkcode validateCronExpression} and {@linkcode compileCron}. */
export interface CronCheckOptions {
  /** IANA time zone. Default `UTC`. */
  timezone?: string;
  /** The job's name, for messages. Default `Cron`. */
  job?: string;
}

/** Options of {@linkcode nextCronRuns}. */
export interface NextRunsOptions {
  /** IANA time zone. Default `UTC`. */
  timezone?: string;
  /** Runs strictly after this instant are listed. Default now. */
  from?: Date;
}

/** The parser's diagnostics that are about a cron's schedule or time zone. */
const CRON_CODES: ReadonlySet<string> = new Set([
  VALIDATION_CODES.missingSchedule,
  VALIDATION_CODES.invalidCron,
  VALIDATION_CODES.unknownTimezone,
]);

/**
 * Checks a cron expression and time zone with the parser's rules.
 *
 * @param expression a 5-, 6- or 7-field expression or a nickname
 * @param options the time zone (default UTC) and the job name for the message
 * @returns null when valid, else the parser's message naming the expression
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { validateCronExpression } from "./cron_expression.ts";
 * assertEquals(validateCronExpression("0 30 9 * * Mon-Fri"), null);
 * assert(validateCronExpression("* * *") !== null);
 * ```
 */
export function validateCronExpression(
  expression: string,
  options: CronCheckOptions = {},
): string | null {
  const cron = {
    name: options.job ?? "Cron",
    schedule: expression,
    triggers: [],
    ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
  };
  const problems = validateSchema({ ...emptySchema(), crons: [cron] })
    .filter((d) => CRON_CODES.has(d.code));
  return problems.length === 0 ? null : problems.map((d) => d.message).join("; ");
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
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { nextCronRuns } from "./cron_expression.ts";
 * const runs = nextCronRuns("0 5 * * * *", 2, { from: new Date("2026-01-01T00:01:00Z") });
 * assertEquals(runs[0]?.toISOString(), "2026-01-01T00:05:00.000Z");
 * ```
 */
export function nextCronRuns(
  expression: string,
  count: number,
  options: NextRunsOptions = {},
): Date[] {
  const check = options.timezone === undefined ? {} : { timezone: options.timezone };
  return compileCron(expression, check).nextRuns(count, options.from ?? new Date());
}

/**
 * Croner options for a valid expression: its mode and weekday numbering by field count. 5 fields
 * read day-of-week 0-7 and either day field matching (Vixie cron); 6 and 7 read 1 = Sunday and
 * need both day fields to match (the original's `cron` crate).
 *
 * @param expression an expression {@linkcode validateCronExpression} accepts
 * @param timezone the IANA time zone; default UTC
 * @returns options for `new Cron`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { cronOptions } from "./cron_expression.ts";
 * assertEquals(cronOptions("0 5 * * * *").mode, "6-part");
 * ```
 */
export function cronOptions(expression: string, timezone?: string): CronOptions {
  const zone = timezone ?? DEFAULT_CRON_TIMEZONE;
  const fields = expression.trim().split(/\s+/).length;
  switch (fields) {
    case 5:
      return { timezone: zone, mode: "5-part", alternativeWeekdays: false, domAndDow: false };
    case 6:
      return { timezone: zone, mode: "6-part", alternativeWeekdays: true, domAndDow: true };
    case 7:
      return { timezone: zone, mode: "7-part", alternativeWeekdays: true, domAndDow: true };
    default:
      return { timezone: zone }; // A nickname such as `@daily`.
  }
}

/**
 * Parses an expression into a paused croner job (no callback, no timer) for computing run times.
 *
 * @param expression the expression
 * @param options the time zone (default UTC) and the job name for the message
 * @returns the parsed schedule
 * @throws {InvalidCronExpressionError} when the expression or time zone is invalid
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { compileCron } from "./cron_expression.ts";
 * const cron = compileCron("@daily", { timezone: "Europe/Berlin" });
 * assert(cron.nextRun() instanceof Date);
 * ```
 */
export function compileCron(expression: string, options: CronCheckOptions = {}): Cron {
  const problem = validateCronExpression(expression, options);
  if (problem !== null) throw new InvalidCronExpressionError(expression, problem);
  return new Cron(expression.trim(), {
    ...cronOptions(expression, options.timezone),
    paused: true,
  });
}
