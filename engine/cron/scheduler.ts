/**
 * The cron scheduler: runs jobs on their schedules (on `npm:croner`), never two runs of one job at
 * once. A scheduled run that falls due while the job still runs is **skipped** (reported through
 * `onSkip`); a {@linkcode Scheduler.runNow} during a run is **queued** and starts when the current
 * run ends. Missed runs (while stopped, or skipped) are never replayed: the next run is computed
 * from the schedule, not from when the last run finished.
 *
 * With a `claim` (several instances of one app), each scheduled run first claims its tick (the job
 * and the scheduled time, not the moment the timer fired): only the instance whose claim wins runs
 * it, so the schedule is evaluated everywhere and the run happens once. `runNow` claims nothing.
 *
 * @module
 */

import { Cron } from "croner";
import { compileCron, cronOptions, DEFAULT_CRON_TIMEZONE } from "./cron_expression.ts";
import { CronClaimError, DuplicateCronJobError, UnknownCronJobError } from "./errors.ts";

/** A job to schedule. */
export interface CronJobSpec {
  /** Unique name, the schema's cron name. */
  name: string;
  /** 5-, 6- or 7-field expression or nickname (see `cron_expression.ts`). */
  schedule: string;
  /** IANA time zone. Default UTC. */
  timezone?: string;
  /**
   * One run; a rejection is reported through `onError`. `tick` is the scheduled time of a
   * scheduled run, absent for {@linkcode Scheduler.runNow}.
   */
  run: (tick?: Date) => Promise<void>;
}

/**
 * Claims one scheduled run of a job for this instance: resolves true for exactly one of the
 * instances asking with the same job and time, false for the others.
 */
export type CronClaim = (name: string, tick: Date) => Promise<boolean>;

/** A job as {@linkcode Scheduler.list} shows it. */
export interface CronJobInfo {
  /** The job's name. */
  name: string;
  /** The cron expression as given. */
  schedule: string;
  /** The IANA time zone it runs in (`UTC` when none was given). */
  timezone: string;
  /** The next scheduled run after now; null when the schedule has no more runs. */
  nextRun: Date | null;
  /** A run is in progress. */
  running: boolean;
}

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** A scheduled run rejected. Default: ignored (the job's `run` records its own failures). */
  onError?: (name: string, error: unknown) => void;
  /** A scheduled run was skipped because the previous run of the job still runs. Default: ignored. */
  onSkip?: (name: string, at: Date) => void;
  /** The current time, for {@linkcode Scheduler.list}. Default `() => new Date()`. */
  now?: () => Date;
  /** Decides which instance runs a scheduled tick (see the module). Default: this one, always. */
  claim?: CronClaim;
  /** Another instance claimed a scheduled tick, so this one did not run it. Default: ignored. */
  onClaimedElsewhere?: (name: string, tick: Date) => void;
}

interface Job {
  readonly spec: CronJobSpec;
  readonly timezone: string;
  /** The parsed schedule, paused: only computes run times. */
  readonly schedule: Cron;
  timer: Cron | null;
  running: Promise<void> | null;
}

/**
 * Holds cron jobs and runs them while started.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { Scheduler } from "./scheduler.ts";
 * const scheduler = new Scheduler();
 * let runs = 0;
 * scheduler.add({ name: "Cleanup", schedule: "0 3 * * *", run: async () => { runs++; } });
 * await scheduler.runNow("Cleanup");
 * assertEquals(runs, 1);
 * await scheduler.stop();
 * ```
 */
export class Scheduler {
  readonly #jobs = new Map<string, Job>();
  readonly #onError: (name: string, error: unknown) => void;
  readonly #onSkip: (name: string, at: Date) => void;
  readonly #now: () => Date;
  readonly #claim: CronClaim | undefined;
  readonly #onClaimedElsewhere: (name: string, tick: Date) => void;
  #started = false;

  /** Creates an empty, stopped scheduler.
   *
   * @param options error and skip reports, clock
   */
  constructor(options: SchedulerOptions = {}) {
    this.#onError = options.onError ?? (() => {});
    this.#onSkip = options.onSkip ?? (() => {});
    this.#now = options.now ?? (() => new Date());
    this.#claim = options.claim;
    this.#onClaimedElsewhere = options.onClaimedElsewhere ?? (() => {});
  }

  /**
   * Adds a job; it starts with the scheduler (at once when the scheduler already runs).
   *
   * @param spec name, schedule, time zone and what to run
   * @throws {InvalidCronExpressionError} when the schedule or time zone is invalid
   * @throws {DuplicateCronJobError} when the name is taken
   */
  add(spec: CronJobSpec): void {
    if (this.#jobs.has(spec.name)) throw new DuplicateCronJobError(spec.name);
    const timezone = spec.timezone ?? DEFAULT_CRON_TIMEZONE;
    const job: Job = {
      spec,
      timezone,
      schedule: compileCron(spec.schedule, { timezone, job: spec.name }),
      timer: null,
      running: null,
    };
    this.#jobs.set(spec.name, job);
    if (this.#started) this.#arm(job);
  }

  /** Starts running jobs on their schedules. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const job of this.#jobs.values()) this.#arm(job);
  }

  /** Stops scheduling and waits for every running (and queued) run to finish. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const job of this.#jobs.values()) {
      job.timer?.stop();
      job.timer = null;
    }
    for (const job of this.#jobs.values()) {
      while (job.running) await job.running;
    }
  }

  /**
   * Removes a job (for a schema reload): no further runs; waits for a run in progress.
   *
   * @param name the job's name
   * @throws {UnknownCronJobError} when no job has that name
   */
  async remove(name: string): Promise<void> {
    const job = this.#job(name);
    this.#jobs.delete(name);
    job.timer?.stop();
    job.timer = null;
    while (job.running) await job.running;
  }

  /**
   * Runs a job now, whether or not the scheduler is started; queued behind a run in progress.
   *
   * @param name the job's name
   * @returns resolves when the run finished; rejects with the run's error
   * @throws {UnknownCronJobError} when no job has that name
   */
  async runNow(name: string): Promise<void> {
    const job = this.#job(name);
    while (job.running) await job.running;
    let failure: { error: unknown } | undefined;
    await this.#execute(job, () => job.spec.run(), (error) => failure = { error });
    if (failure) throw failure.error;
  }

  /** The jobs, sorted by name, with their next run times. */
  list(): CronJobInfo[] {
    const now = this.#now();
    return [...this.#jobs.values()]
      .sort((a, b) => a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0)
      .map((job) => ({
        name: job.spec.name,
        schedule: job.spec.schedule,
        timezone: job.timezone,
        nextRun: job.schedule.nextRun(now),
        running: job.running !== null,
      }));
  }

  #job(name: string): Job {
    const job = this.#jobs.get(name);
    if (!job) throw new UnknownCronJobError(name, [...this.#jobs.keys()].sort());
    return job;
  }

  #arm(job: Job): void {
    const options = cronOptions(job.spec.schedule, job.timezone);
    job.timer = new Cron(job.spec.schedule.trim(), options, () => this.#due(job));
  }

  #due(job: Job): void {
    const now = this.#now();
    if (job.running) return this.#onSkip(job.spec.name, now);
    // The timer fires at or just after the scheduled time: the tick is the last one due by now,
    // the same on every instance whatever its timer's delay.
    const tick = job.schedule.previousRuns(1, new Date(now.getTime() + 1))[0] ?? now;
    void this.#execute(
      job,
      () => this.#claimed(job, tick),
      (error) => this.#onError(job.spec.name, error),
    );
  }

  async #claimed(job: Job, tick: Date): Promise<void> {
    if (this.#claim && !(await this.#claimTick(this.#claim, job.spec.name, tick))) {
      return this.#onClaimedElsewhere(job.spec.name, tick);
    }
    await job.spec.run(tick);
  }

  async #claimTick(claim: CronClaim, name: string, tick: Date): Promise<boolean> {
    try {
      return await claim(name, tick);
    } catch (error) {
      throw new CronClaimError(name, tick, { cause: error });
    }
  }

  /** Runs once; `running` is set before the run starts, so no second run can start meanwhile. */
  #execute(job: Job, body: () => Promise<void>, failed: (error: unknown) => void): Promise<void> {
    const run = Promise.resolve()
      .then(body)
      .catch(failed)
      .finally(() => {
        job.running = null;
      });
    job.running = run;
    return run;
  }
}
