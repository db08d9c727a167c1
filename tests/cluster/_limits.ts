/**
 * The flow limits across three `rohas start` instances on one broker and one shared state store
 * (the default `denokv` file every instance of the project copy opens): `concurrency: 2 by key` is
 * never exceeded per key, measured from the runs' start and end times across the instances, and
 * `rate: 10 per 1s` holds within 10% over 10 s, counted per second of the clock.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Cluster,
  type ClusterAdapter,
  type Instance,
  records,
  startCluster,
} from "./_instances.ts";

const FIXTURE = new URL("./limits_fixture/", import.meta.url).pathname;

/** Registers the limits cases of one adapter as steps of one test (one cluster for both). */
export function limitsSuite(adapter: ClusterAdapter): void {
  Deno.test({
    name: `three instances on ${adapter} share the concurrency and rate limits of a handler`,
    // The instances' broker clients keep timers and sockets until the processes end.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      await using cluster = await startCluster({ adapter, from: FIXTURE });
      await t.step("concurrency 2 by key is never exceeded across the instances", async () => {
        await concurrencyHolds(cluster, adapter);
      });
      await t.step("rate 10 per 1s holds within 10% over 10 s", async () => {
        await rateHolds(cluster, adapter);
      });
    },
  });
}

async function concurrencyHolds(cluster: Cluster, adapter: ClusterAdapter): Promise<void> {
  const count = 90;
  await Promise.all(
    Array.from({ length: count }, (_, n) => post(cluster.instances[n % 3]!, `k${n % 3}`, n)),
  );
  const lines = await until(() => linesOf(cluster, "bounded"), (l) => l.length >= 2 * count);
  const max = maxInFlight(lines);
  report(`${adapter}: concurrency 2 by key, measured maximum per key ${JSON.stringify(max)}`);
  const pids = new Set(lines.map((l) => l[3]));
  assert.equal(pids.size, 3, "every instance ran some of the runs");
  for (const [key, n] of Object.entries(max)) assert.ok(n <= 2, `key ${key} ran ${n} at once`);
  assert.ok(Object.values(max).includes(2), "the limit was reached (runs of a key overlapped)");
}

async function rateHolds(cluster: Cluster, adapter: ClusterAdapter): Promise<void> {
  // 30 jobs a second for 12 s, three times the rate: every second has more than its budget.
  const started = Date.now();
  const firstSecond = Math.ceil(started / 1000) + 1;
  const posted: Promise<void>[] = [];
  // Sent on a clock, not after each answer: a broker slow to accept must not slow the offer.
  for (let n = 0; Date.now() < (firstSecond + 12) * 1000; n++) {
    posted.push(post(cluster.instances[n % 3]!, "k", n));
    await new Promise((resolve) => setTimeout(resolve, 1000 / 30));
  }
  await Promise.all(posted);
  // The last measured second is over once an unlimited handler saw an event after it, and runs
  // admitted in it have recorded a second later.
  const end = (firstSecond + 10) * 1000;
  await until(() => linesOf(cluster, "arrivals"), (l) => l.some((line) => Number(line[1]) >= end));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const runs = perSecond(await linesOf(cluster, "metered"), firstSecond);
  const arrived = perSecond(await linesOf(cluster, "arrivals"), firstSecond);
  const total = runs.reduce((a, b) => a + b, 0);
  report(
    `${adapter}: rate 10 per 1s, runs in each of 10 s: ${runs.join(" ")} (${total}); ` +
      `deliveries to an unlimited handler: ${arrived.join(" ")}`,
  );
  assert.ok(total >= 90 && total <= 110, `${total} runs in 10 s, expected 100 within 10%`);
}

/** How many lines of each of the 10 seconds from `first` (the time is the line's 2nd word). */
function perSecond(lines: string[][], first: number): number[] {
  return Array.from(
    { length: 10 },
    (_, s) => lines.filter((l) => Math.floor(Number(l[1]) / 1000) === first + s).length,
  );
}

/** POSTs one job; fails the test unless it was accepted. */
async function post(instance: Instance, key: string, n: number): Promise<void> {
  const response = await fetch(`${instance.url}/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key, n }),
  });
  await response.body?.cancel();
  assert.equal(response.status, 200, `job ${n} accepted`);
}

/** The words of each line of `out/<file>.log`. */
async function linesOf(cluster: Cluster, file: string): Promise<string[][]> {
  return (await records(cluster, file)) as unknown as string[][];
}

/** Reads until the condition holds; fails after two minutes (arrival on a loaded machine). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`Not there after 120 s: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The most runs of one key in flight at once, from `start <key> <ms>` and `end <key> <ms>` lines
 * of every instance; at one millisecond an end counts before a start (a slot is freed before the
 * next run can take it).
 */
function maxInFlight(lines: string[][]): Record<string, number> {
  const points = lines.map(([kind, key, at]) => ({ kind, key: key!, at: Number(at) }));
  points.sort((a, b) => a.at - b.at || (a.kind === "end" ? -1 : 1));
  const running = new Map<string, number>();
  const max: Record<string, number> = {};
  for (const p of points) {
    const now = (running.get(p.key) ?? 0) + (p.kind === "start" ? 1 : -1);
    running.set(p.key, now);
    max[p.key] = Math.max(max[p.key] ?? 0, now);
  }
  return max;
}

/** Prints a measured number: the maxima and counts are part of the test's report. */
function report(line: string): void {
  // deno-lint-ignore no-console -- the measured numbers are part of the test's report
  console.log(line);
}
