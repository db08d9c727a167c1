import assert from "node:assert/strict";
import {
  CronClaimError,
  DuplicateCronJobError,
  InvalidCronExpressionError,
  UnknownCronJobError,
} from "./errors.ts";
import { Scheduler } from "./scheduler.ts";

Deno.test("Scheduler.list() shows jobs sorted by name with their next run", async () => {
  const scheduler = new Scheduler({ now: () => new Date("2026-01-02T10:00:00Z") });
  const run = () => Promise.resolve();
  scheduler.add({ name: "Report", schedule: "0 0 9 * * *", timezone: "Europe/Berlin", run });
  scheduler.add({ name: "Cleanup", schedule: "*/10 * * * *", run });
  assert.deepEqual(scheduler.list(), [
    {
      name: "Cleanup",
      schedule: "*/10 * * * *",
      timezone: "UTC",
      nextRun: new Date("2026-01-02T10:10:00Z"),
      running: false,
    },
    {
      name: "Report",
      schedule: "0 0 9 * * *",
      timezone: "Europe/Berlin",
      nextRun: new Date("2026-01-03T08:00:00Z"),
      running: false,
    },
  ]);
  await scheduler.stop();
});

Deno.test("Scheduler.add() refuses an invalid expression and a duplicate name", () => {
  const scheduler = new Scheduler();
  const run = () => Promise.resolve();
  assert.throws(
    () => scheduler.add({ name: "Bad", schedule: "* * *", run }),
    InvalidCronExpressionError,
  );
  scheduler.add({ name: "Once", schedule: "@daily", run });
  assert.throws(
    () => scheduler.add({ name: "Once", schedule: "@daily", run }),
    DuplicateCronJobError,
  );
});

Deno.test("Scheduler.runNow() runs a job without starting the scheduler and reports its error", async () => {
  const scheduler = new Scheduler();
  let runs = 0;
  scheduler.add({ name: "Count", schedule: "0 0 1 1 *", run: () => Promise.resolve(void runs++) });
  scheduler.add({
    name: "Fail",
    schedule: "0 0 1 1 *",
    run: () => Promise.reject(new Error("Disk full")),
  });
  await scheduler.runNow("Count");
  assert.equal(runs, 1);
  await assert.rejects(() => scheduler.runNow("Fail"), { message: "Disk full" });
  await assert.rejects(
    () => scheduler.runNow("Missing"),
    (error: Error) =>
      error instanceof UnknownCronJobError &&
      error.message === 'Unknown cron job "Missing": the jobs are "Count", "Fail"',
  );
});

Deno.test("Scheduler skips a due run while the previous run of the job is still going", async () => {
  const skipped = Promise.withResolvers<string>();
  const scheduler = new Scheduler({ onSkip: (name) => skipped.resolve(name) });
  const started = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  let running = 0;
  let most = 0;
  let runs = 0;
  scheduler.add({
    name: "Slow",
    schedule: "* * * * * *",
    run: async () => {
      runs++;
      most = Math.max(most, ++running);
      started.resolve();
      await release.promise;
      running--;
    },
  });
  scheduler.start();
  try {
    await withDeadline(started.promise, 5000, "the first scheduled run");
    assert.equal(await withDeadline(skipped.promise, 5000, "a skipped run"), "Slow");
    assert.equal(most, 1);
    assert.equal(runs, 1);
    assert.equal(scheduler.list()[0]?.running, true);
  } finally {
    release.resolve();
    await scheduler.stop();
  }
});

Deno.test("Scheduler.runNow() during a run waits for it instead of overlapping", async () => {
  const scheduler = new Scheduler();
  const gates = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  const entered: number[] = [];
  let running = 0;
  let most = 0;
  scheduler.add({
    name: "Job",
    schedule: "0 0 1 1 *",
    run: async () => {
      const index = entered.length;
      entered.push(index);
      most = Math.max(most, ++running);
      await gates[index]?.promise;
      running--;
    },
  });
  const first = scheduler.runNow("Job");
  const second = scheduler.runNow("Job");
  await macrotask();
  assert.deepEqual(entered, [0]);
  gates[0]?.resolve();
  gates[1]?.resolve();
  await Promise.all([first, second]);
  assert.deepEqual(entered, [0, 1]);
  assert.equal(most, 1);
});

Deno.test("Scheduler.stop() waits for a running job", async () => {
  const scheduler = new Scheduler();
  const release = Promise.withResolvers<void>();
  let finished = false;
  scheduler.add({
    name: "Long",
    schedule: "0 0 1 1 *",
    run: async () => {
      await release.promise;
      finished = true;
    },
  });
  scheduler.start();
  const running = scheduler.runNow("Long");
  let stopped = false;
  const stopping = scheduler.stop().then(() => stopped = true);
  await macrotask();
  assert.equal(stopped, false);
  release.resolve();
  await stopping;
  assert.equal(finished, true);
  await running;
});

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("Scheduler.remove() drops a job after its running run finishes", async () => {
  const scheduler = new Scheduler();
  const release = Promise.withResolvers<void>();
  let finished = false;
  scheduler.add({
    name: "Old",
    schedule: "* * * * * *",
    run: async () => {
      await release.promise;
      finished = true;
    },
  });
  scheduler.start();
  const running = scheduler.runNow("Old");
  const removing = scheduler.remove("Old");
  release.resolve();
  await removing;
  assert.equal(finished, true);
  assert.deepEqual(scheduler.list(), []);
  await assert.rejects(() => scheduler.runNow("Old"), UnknownCronJobError);
  await running;
  await scheduler.stop();
});

Deno.test("Scheduler asks the claim for each scheduled tick and runs only the ticks it wins", async () => {
  const asked: { name: string; tick: Date }[] = [];
  const elsewhere = Promise.withResolvers<Date>();
  const ran = Promise.withResolvers<Date | undefined>();
  const scheduler = new Scheduler({
    // Lost on odd seconds, won on even ones: both outcomes within two ticks.
    claim: (name, tick) => {
      asked.push({ name, tick });
      return Promise.resolve(tick.getUTCSeconds() % 2 === 0);
    },
    onClaimedElsewhere: (_name, tick) => elsewhere.resolve(tick),
  });
  scheduler.add({
    name: "Beat",
    schedule: "* * * * * *",
    run: (tick) => (ran.resolve(tick), Promise.resolve()),
  });
  scheduler.start();
  try {
    const won = await withDeadline(ran.promise, 5000, "a run of a won tick");
    const lost = await withDeadline(elsewhere.promise, 5000, "a tick claimed elsewhere");
    assert.ok(
      won && won.getUTCSeconds() % 2 === 0 && won.getUTCMilliseconds() === 0,
      `tick ${won?.toISOString()}`,
    );
    assert.ok(lost.getUTCSeconds() % 2 === 1 && lost.getUTCMilliseconds() === 0);
    assert.ok(asked.every((a) => a.name === "Beat" && a.tick.getUTCMilliseconds() === 0));
  } finally {
    await scheduler.stop();
  }
});

Deno.test("Scheduler reports a claim that fails as a CronClaimError and does not run that tick", async () => {
  const failed = Promise.withResolvers<unknown>();
  let runs = 0;
  const scheduler = new Scheduler({
    claim: () => Promise.reject(new Error("Connection refused")),
    onError: (_name, error) => failed.resolve(error),
  });
  scheduler.add({ name: "Beat", schedule: "* * * * * *", run: () => Promise.resolve(void runs++) });
  scheduler.start();
  try {
    const error = await withDeadline(failed.promise, 5000, "the claim's failure");
    assert.ok(error instanceof CronClaimError);
    assert.match(
      error.message,
      /^Cannot claim the run of cron job "Beat" at .*Z: Connection refused$/,
    );
    assert.equal(runs, 0);
  } finally {
    await scheduler.stop();
  }
});

Deno.test("Scheduler.runNow() runs at once without claiming a tick", async () => {
  let claims = 0;
  const scheduler = new Scheduler({ claim: () => Promise.resolve(++claims > 0 && false) });
  const ticks: (Date | undefined)[] = [];
  scheduler.add({
    name: "Report",
    schedule: "0 0 1 1 *",
    run: (tick) => (ticks.push(tick), Promise.resolve()),
  });
  await scheduler.runNow("Report");
  assert.deepEqual([ticks, claims], [[undefined], 0]);
});
