/**
 * Errors of the cron scheduler.
 *
 * @module
 */

import { RohasError } from "../../errors.ts";

/** Root of every cron error. */
export class CronError extends RohasError {
  /** Creates a cron error.
   *
   * @param message starts with a capital, no trailing period, detail after a colon
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CronError";
  }
}

/** A schedule or time zone that cannot be parsed. */
export class InvalidCronExpressionError extends CronError {
  /** The expression as written. */
  readonly expression: string;

  /** Creates the error.
   *
   * @param expression the expression
   * @param detail what is wrong with it (from {@linkcode validateCronExpression})
   * @param options the underlying `cause`, if any
   */
  constructor(expression: string, detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = "InvalidCronExpressionError";
    this.expression = expression;
  }
}

/** `runNow` named a job the scheduler does not have. */
export class UnknownCronJobError extends CronError {
  /** Creates the error.
   *
   * @param name the name asked for
   * @param known the names of the jobs there are
   */
  constructor(name: string, known: readonly string[]) {
    const list = known.length ? known.map((job) => `"${job}"`).join(", ") : "none";
    super(`Unknown cron job "${name}": the jobs are ${list}`);
    this.name = "UnknownCronJobError";
  }
}

/** A job name was added twice. */
export class DuplicateCronJobError extends CronError {
  /** Creates the error.
   *
   * @param name the job name
   */
  constructor(name: string) {
    super(`Cannot add cron job "${name}": a job of that name already exists`);
    this.name = "DuplicateCronJobError";
  }
}

/**
 * A scheduled run could not be claimed (the shared state store failed): this instance does not run
 * that tick, so no tick runs twice; another instance whose claim succeeds runs it.
 */
export class CronClaimError extends CronError {
  /** The job's name. */
  readonly job: string;
  /** The scheduled time of the run. */
  readonly tick: Date;

  /** Creates the error.
   *
   * @param job the job's name
   * @param tick the scheduled time
   * @param options the store's error as `cause`
   */
  constructor(job: string, tick: Date, options?: ErrorOptions) {
    const cause = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(`Cannot claim the run of cron job "${job}" at ${tick.toISOString()}: ${cause}`, options);
    this.name = "CronClaimError";
    this.job = job;
    this.tick = tick;
  }
}
