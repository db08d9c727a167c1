/**
 * Cron wiring: a job run is a trace, the cron handler called with its state only, then its triggers
 * published by the one D6 rule.
 *
 * @module
 */

import type { ScheduleSpec } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import { addTriggersStep, invokeHandler } from "./_invoke.ts";
import { publishTriggers } from "./triggers.ts";

/** How a cron run ended. */
export type CronOutcome = { ok: true; traceId: string } | {
  ok: false;
  traceId: string;
  error: string;
};

/** What the engine needs of a scheduler (engine/cron `Scheduler` satisfies it). */
export interface CronScheduler {
  /** Adds a job; throws when its schedule is invalid or its name taken. */
  add(job: { name: string; schedule: string; timezone?: string; run: () => Promise<void> }): void;
  /** Starts running jobs on their schedules. */
  start(): void;
  /** Stops the timers; resolves when running jobs have finished. */
  stop(): Promise<void>;
}

/** Runs one cron job now: its handler, then its triggers.
 *
 * @param parts the engine parts
 * @param spec the job
 * @returns the outcome
 */
export async function runCronJob(parts: EngineParts, spec: ScheduleSpec): Promise<CronOutcome> {
  const trace = parts.telemetry.startTrace({
    entryPoint: spec.name,
    entryType: "cron",
    metadata: { cron_name: spec.name, schedule: spec.schedule },
  });
  const result = await invokeHandler(parts, {
    handler: spec.handler,
    input: { kind: "cron" },
    trace,
  });
  if (!result.ok) {
    trace.end("failed", result.error.message);
    return { ok: false, traceId: trace.id, error: result.error.message };
  }
  try {
    const published = await publishTriggers(parts.publisher, {
      effects: result.effects,
      output: result.output,
      schemaTriggers: spec.triggers,
    }, { source: `cron:${spec.name}`, traceId: trace.id });
    addTriggersStep(trace, `${spec.name} triggers`, published);
  } catch (error) {
    const message = `Failed to publish events: ${(error as Error).message}`;
    trace.end("failed", message);
    return { ok: false, traceId: trace.id, error: message };
  }
  trace.end("success");
  return { ok: true, traceId: trace.id };
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
  run: (spec: ScheduleSpec) => Promise<CronOutcome>,
): void {
  for (const spec of schedules) {
    scheduler.add({
      name: spec.name,
      schedule: spec.schedule,
      ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }),
      run: async () => {
        const outcome = await run(spec);
        if (!outcome.ok) throw new Error(outcome.error);
      },
    });
  }
}
