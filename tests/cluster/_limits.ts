/**
 * The flow limits across three `rohas start` instances on one broker and one shared state store
 * (the default `denokv` file every instance of the project copy opens): `concurrency: 2 by key` is
 * never exceeded per key, measured from the runs' start and end times across the instances;
 * `rate: 10 per 1s` holds within 10% over 10 s, counted per second of the clock from the first
 * second the budget was used in; and the slots of
 * an instance killed (`kill -9`) while it holds one come back once their lease runs out.
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
      await t.step(
        "kill -9 of an instance holding slots: they come back, no event lost",
        async () => {
          await killedSlotsComeBack(cluster, adapter);
        },
      );
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
  const pids = new Set(lines.map((l) => l[4]));
  assert.equal(pids.size, 3, "every instance ran some of the runs");
  for (const [key, n] of Object.entries(max)) assert.ok(n <= 2, `key ${key} ran ${n} at once`);
  assert.ok(Object.values(max).includes(2), "the limit was reached (runs of a key overlapped)");
}

async function rateHolds(cluster: Cluster, adapter: ClusterAdapter): Promise<void> {
  // 40 jobs a second, four times the budget, sent on a clock (not after each answer, so a slow
  // answer does not slow the offer) until the measure is over.
  const offer = new AbortController();
  const posting = load(cluster.instances, { perSecond: 40, signal: offer.signal });
  const first = await until(() => linesOf(cluster, "metered"), (l) => l.length > 0);
  // The measure starts at the first second the handler ran its budget in, at least two seconds
  // after its first run: a broker's consumers warming up may hand one group nothing for a second
  // or two while they deliver to another (seen with SQS), which says nothing of the limit.
  const earliest = Math.floor(Number(first[0]![1]) / 1000) + 2;
  const warm = await until(
    () => linesOf(cluster, "metered"),
    (l) => fullSecond(l, earliest) !== undefined,
  );
  const firstSecond = fullSecond(warm, earliest)!;
  const end = (firstSecond + 10) * 1000;
  // Runs admitted in the last second have recorded a second after it.
  await new Promise((resolve) => setTimeout(resolve, end + 1000 - Date.now()));
  offer.abort();
  await posting;
  const runs = perSecond(await linesOf(cluster, "metered"), firstSecond);
  const arrived = perSecond(await linesOf(cluster, "arrivals"), firstSecond);
  const total = runs.reduce((a, b) => a + b, 0);
  report(
    `${adapter}: rate 10 per 1s, runs in each of 10 s: ${runs.join(" ")} (${total}); ` +
      `deliveries to an unlimited handler: ${arrived.join(" ")}`,
  );
  assert.ok(total <= 110, `${total} runs in 10 s, at most 100 + 10% expected`);
  // The lower bound needs the broker to deliver 10 events a second: on a loaded machine Kafka and
  // SQS (fauxqs) sometimes hand over none for a second, to any consumer group.
  if (arrived.every((n) => n >= 10)) {
    assert.ok(total >= 90, `${total} runs in 10 s, at least 100 - 10% expected`);
  } else {
    report(`${adapter}: the broker delivered under 10 events in some second; no lower bound`);
  }
}

/** POSTs jobs round-robin over the instances at a steady pace until the signal fires. */
async function load(
  instances: Instance[],
  options: { perSecond: number; signal: AbortSignal },
): Promise<void> {
  const posted: Promise<void>[] = [];
  const start = Date.now();
  for (let n = 0; !options.signal.aborted; n++) {
    posted.push(post(instances[n % instances.length]!, "k", n));
    const due = start + (n + 1) * 1000 / options.perSecond;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  await Promise.all(posted);
}

/**
 * The first whole second from `from` on in which the handler ran at least 9 times (its budget of
 * 10, less one for the second's edge), or undefined; a second counts once the next one is over
 * (runs record when they end).
 */
function fullSecond(lines: string[][], from: number): number | undefined {
  const over = Math.floor(Date.now() / 1000) - 1;
  const counts = new Map<number, number>();
  for (const line of lines) {
    const second = Math.floor(Number(line[1]) / 1000);
    if (second >= from && second < over) counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  const full = [...counts].filter(([, n]) => n >= 9).map(([second]) => second);
  return full.length === 0 ? undefined : Math.min(...full);
}

/** How many lines of each of the 10 seconds from `first` (the time is the line's 2nd word). */
function perSecond(lines: string[][], first: number): number[] {
  return Array.from(
    { length: 10 },
    (_, s) => lines.filter((l) => Math.floor(Number(l[1]) / 1000) === first + s).length,
  );
}

async function killedSlotsComeBack(cluster: Cluster, adapter: ClusterAdapter): Promise<void> {
  const jobs = Array.from({ length: 60 }, (_, i) => String(1000 + i));
  // One key, so the killed instance's slots are the ones the others need.
  await Promise.all(jobs.map((n, i) => post(cluster.instances[i % 3]!, "dead", Number(n))));
  const ours = (lines: string[][]) => lines.filter((l) => l[1] === "dead");
  // Killed while it runs one of them (whichever instance the broker handed one to first): it holds
  // a slot it never frees.
  const running = (lines: string[][]) => {
    const started = new Map<string, number>();
    for (const [kind, , , , pid] of ours(lines)) {
      started.set(pid!, (started.get(pid!) ?? 0) + (kind === "start" ? 1 : -1));
    }
    return [...started].find(([, n]) => n > 0)?.[0];
  };
  const pid = running(await until(() => linesOf(cluster, "bounded"), (l) => !!running(l)))!;
  const victim = cluster.instances.find((i) => String(i.process()?.pid) === pid)!;
  const killedAt = Date.now();
  await victim.kill();
  // Every job ran to its end somewhere: the killed instance's deliveries came back to the others,
  // which could take its slot once the lease ran out.
  const lines = ours(
    await until(() => linesOf(cluster, "bounded"), (all) => {
      const ended = new Set(ours(all).filter((l) => l[0] === "end").map((l) => l[3]));
      return jobs.every((n) => ended.has(n));
    }),
  );
  const max = maxInFlight(lines.filter((l) => l[4] !== pid));
  const last = Math.max(...lines.map((l) => Number(l[2]))) - killedAt;
  report(
    `${adapter}: kill -9 of ${victim.id} while it held a slot: all ${jobs.length} jobs ended, the ` +
      `last ${last} ms after the kill; max at once among the survivors ${JSON.stringify(max)}`,
  );
  assert.ok((max["dead"] ?? 0) <= 2, `at most 2 at once: ${JSON.stringify(max)}`);
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
    if (Date.now() > deadline) {
      assert.fail(`Not there after 120 s: ${JSON.stringify(value).slice(-2000)}`);
    }
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
