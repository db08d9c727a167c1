/**
 * `debounce: 1s by k` across three `rohas start` instances on one broker and one shared state
 * store (the default `denokv` file every instance of the project copy opens): 100 events of one key
 * in one second, posted to all three instances, reach the debounced handler as one call with the
 * last payload, also when one instance is killed (`kill -9`) right after the burst. A second handler of the event records every delivery, so the test knows when all
 * arrived and that the instances shared them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Cluster, type ClusterAdapter, type Instance, startCluster } from "./_instances.ts";

const FIXTURE = new URL("./debounce_fixture/", import.meta.url).pathname;

/** The fixture's debounce period. */
const PERIOD_MS = 1000;

/** Registers the debounce case of one adapter. */
export function debounceSuite(adapter: ClusterAdapter): void {
  Deno.test({
    name: `three instances on ${adapter} debounce 100 events of one key in 1 s into one call`,
    // The instances' broker clients keep timers and sockets until the processes end.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      await using cluster = await startCluster({ adapter, from: FIXTURE });
      await t.step(
        "100 events of one key in 1 s arrive as one call with the last payload",
        () => oneCallWithTheLastPayload(cluster, adapter, { key: "a", kill: false }),
      );
      await t.step(
        "kill -9 of an instance after a burst: the burst still runs, once",
        () => oneCallWithTheLastPayload(cluster, adapter, { key: "b", kill: true }),
      );
    },
  });
}

async function oneCallWithTheLastPayload(
  cluster: Cluster,
  adapter: ClusterAdapter,
  options: { key: string; kill: boolean },
): Promise<void> {
  const { key } = options;
  const mine = async (file: string) => (await linesOf(cluster, file)).filter((l) => l[0] === key);
  const started = performance.now();
  // 99 events sent on a clock over 0.8 s (not one after the other's answer), then the last one
  // once they were all accepted and 1 s after the first: 100 in one second, the last one apart
  // enough to be the last one delivered whatever instance and partition carries it.
  const trips: Trip[] = [];
  const timed = async (instance: Instance, n: number) => {
    const at = performance.now();
    await post(instance, key, n);
    trips.push({ sent: at, answered: performance.now() });
  };
  await Promise.all(
    Array.from(
      { length: 99 },
      (_, n) => pause(n * 8).then(() => timed(cluster.instances[n % 3]!, n)),
    ),
  );
  await pause(1000 - (performance.now() - started));
  await timed(cluster.instances[0]!, 99);
  const sent = performance.now() - started;
  // Its deliveries stored or in flight, its due loop maybe claiming the burst's timer: kill -9.
  if (options.kill) await cluster.instances[0]!.kill();
  const arrivals = await until(() => mine("arrivals"), (l) => l.length >= 100);
  const calls = await until(() => mine("settle"), (l) => l.some((c) => c[1] === "99"));
  // Nothing else may run: wait past another period (and the due loops' polling) for a late call.
  const ranAt = performance.now() - started;
  await pause(PERIOD_MS * 2);
  const all = await mine("settle");
  const pids = new Set(arrivals.map((l) => l[2]));
  report(
    `${adapter}${options.kill ? " (instance i0 killed)" : ""}: 100 events posted in ` +
      `${Math.round(sent)} ms, delivered on ${pids.size} instances; debounced calls: ` +
      `${all.map((l) => `${l[0]} ${l[1]}`).join(", ")} (by pid ${calls[0]![2]}, ` +
      `${Math.round(ranAt)} ms after the first post)`,
  );
  assert.ok(pids.size >= 2, "the events were shared between instances");
  const ran = all.map((l) => Number(l[1]));
  // One call is what the schema promises when no period passed between two events; the client
  // proves that when the longest wait for an answer plus the longest pause between sends is under
  // the period (each event was accepted between its send and its answer).
  const gap = longestPossibleGap(trips);
  if (!options.kill && gap < PERIOD_MS) {
    return assert.deepEqual(ran, [99], "one call, with the last payload");
  }
  if (!options.kill) {
    report(`  (the events may have been ${Math.round(gap)} ms apart: no single call to prove)`);
  }
  // A delivery the killed instance held comes back after the broker's redelivery delay (3 s in
  // these tests), longer than the period: it may end the burst late, as a burst of its own. What
  // must hold: the last payload runs, and no older event runs after a newer one.
  assert.equal(ran.at(-1), 99, "the last payload ran last");
  assert.deepEqual(ran, ran.toSorted((x, y) => x - y), "no older event ran after a newer one");
  assert.equal(new Set(ran).size, ran.length, "no event ran twice");
}

/** One post: when it was sent and when its answer came (`performance.now()`). */
interface Trip {
  sent: number;
  answered: number;
}

/**
 * The longest time two events sent one after the other may have been accepted apart: the longest
 * pause between sends plus the longest wait for an answer.
 */
function longestPossibleGap(trips: Trip[]): number {
  const sends = trips.map((t) => t.sent).sort((a, b) => a - b);
  let pause = 0;
  for (let i = 1; i < sends.length; i++) pause = Math.max(pause, sends[i]! - sends[i - 1]!);
  return pause + Math.max(...trips.map((t) => t.answered - t.sent));
}

async function post(instance: Instance, k: string, n: number): Promise<void> {
  const response = await fetch(`${instance.url}/pings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ k, n }),
  });
  await response.body?.cancel();
  assert.equal(response.status, 200, `POST /pings ${n}`);
}

/** `out/<file>.log` of the project copy: `[k, n, pid]` per line. */
async function linesOf(cluster: Cluster, file: string): Promise<string[][]> {
  try {
    const text = await Deno.readTextFile(`${cluster.dir}/out/${file}.log`);
    return text.split("\n").filter((l) => l !== "").map((l) => l.split(" "));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const end = performance.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > end) throw new Error(`Timed out: ${JSON.stringify(value)}`);
    await pause(50);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Prints a measured number: the counts and times are part of the test's report. */
function report(line: string): void {
  // deno-lint-ignore no-console -- the counts and times are part of the test's report
  console.log(line);
}
