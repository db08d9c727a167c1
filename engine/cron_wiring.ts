/**
 * Cron wiring: a job run is a trace, the cron handler called with its state only, then its triggers
 * published by the one D6 rule.
 *
 * @module
 */

import type { ScheduleSpec } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import { invokeHandler } from "./_invoke.ts";
import { planTriggers, publishFailure, publishStep } from "./triggers.ts";
import { CronRunError } from "./errors.ts";

/** How a cron run ended. */
export type CronOutcome = { ok: true; traceId: string } | {
  ok: false;
  traceId: string;
  error: string;
};

/** What the engine needs of a scheduler (engine/cron `Scheduler` satisfies it). */
export interface CronScheduler {
  /** Adds a job; throws when its schedule is invalid or its name taken. */
  add(job: {
    name: string;
    schedule: string;
    timezone?: string;
    run: (tick?: Date) => Promise<void>;
  }): void;
  /** Starts running jobs on their schedules. */
  start(): void;
  /** Stops the timers; resolves when running jobs have finished. */
  stop(): Promise<void>;
}

/** Runs one cron job now: its handler, then its triggers.
 *
 * @param parts the engine parts
 * @param spec the job
 * @param tick the scheduled time of a scheduled run (the trace's `scheduled_at`); absent for a run
 *   asked for now
 * @returns the outcome
 */
export async function runCronJob(
  parts: EngineParts,
  spec: ScheduleSpec,
  tick?: Date,
): Promise<CronOutcome> {
  const metadata: Record<string, string> = { cron_name: spec.name, schedule: spec.schedule };
  if (tick) metadata.scheduled_at = tick.toISOString();
  const trace = parts.telemetry.startTrace({ entryPoint: spec.name, entryType: "cron", metadata });
  const result = await invokeHandler(parts, {
    handler: spec.handler,
    input: { kind: "cron" },
    trace,
  });
  const failure = result.ok
    ? await publishFailure(() =>
      publishStep(parts.publisher, planTriggers(result.effects, spec.triggers, result.output), {
        source: `cron:${spec.name}`,
        trace,
        step: spec.name,
      })
    )
    : result.error.message;
  if (failure === null) {
    trace.end("success");
    return { ok: true, traceId: trace.id };
  }
  trace.end("failed", failure);
  return { ok: false, traceId: trace.id, error: failure };
}

/** Registers every schedule of the model with the scheduler.
 *
 * @param scheduler the scheduler
 * @param schedules the jobs
 * @param run how a job runs (normally {@linkcode runCronJob} with the current parts)
 */
export function scheduleJobs(
  scheduler: CronScheduler,
  schedules: readonly ScheduleSpec[],
  run: (spec: ScheduleSpec, tick?: Date) => Promise<CronOutcome>,
): void {
  for (const spec of schedules) {
    scheduler.add({
      name: spec.name,
      schedule: spec.schedule,
      ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }),
      run: async (tick) => {
        const outcome = await run(spec, tick);
        if (!outcome.ok) throw new CronRunError(outcome.error, outcome.traceId);
      },
    });
  }
}
