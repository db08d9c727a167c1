/**
 * Cron: expressions (5, 6 and 7 fields, time zones) and the scheduler that never overlaps runs of
 * one job.
 *
 * @module
 */

export { Scheduler } from "./scheduler.ts";
export type { CronClaim, CronJobInfo, CronJobSpec, SchedulerOptions } from "./scheduler.ts";
export { DEFAULT_CRON_TIMEZONE, nextCronRuns, validateCronExpression } from "./cron_expression.ts";
export type { CronCheckOptions, NextRunsOptions } from "./cron_expression.ts";
export {
  CronClaimError,
  CronError,
  DuplicateCronJobError,
  InvalidCronExpressionError,
  UnknownCronJobError,
} from "./errors.ts";
