/**
 * The cases every broker passes with three `rohas start` instances (one `<broker>_test.ts` file per
 * broker, so `deno test --parallel` runs brokers side by side): events handled once per consumer
 * group across instances, a cron every second run once per tick, and `kill -9` of one instance
 * under load losing no accepted event.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ClusterAdapter, records, startCluster, tally } from "./_instances.ts";
import type { Cluster, Instance } from "./_instances.ts";

/** The consumer groups of the fixture's `JobQueued` event. */
const GROUPS = ["tally_a", "tally_b"] as const;

/** Registers the cluster cases of one adapter as steps of one test (one cluster start for all). */
export function clusterSuite(adapter: ClusterAdapter): void {
  Deno.test({
    name: `three instances on ${adapter} share events, run each cron tick once and survive kill -9`,
    // The instances' broker clients keep timers and sockets until the processes end.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      const started = performance.now();
      await using cluster = await startCluster({ adapter });
      const ready = performance.now();
      await t.step("1,000 events are each handled once per consumer group", async () => {
        await eventsOncePerGroup(cluster, adapter);
      });
      await t.step("a cron every second runs once per tick across the instances", async () => {
        await cronOncePerTick(cluster, adapter);
      });
      await t.step("kill -9 of one instance under load loses no accepted event", async () => {
        await killUnderLoad(cluster, adapter);
      });
      report(
        `${adapter}: 3 instances ready in ${((ready - started) / 1000).toFixed(1)} s, ` +
          `all cases in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  });
}

/** Prints a measured number: the counts and times are part of the test's report. */
function report(line: string): void {
  // deno-lint-ignore no-console -- the counts and times are part of the test's report
  console.log(line);
}

/** POSTs one job; true when the instance accepted it (200: its event was published). */
async function enqueue(instance: Instance, id: string): Promise<boolean> {
  try {
    const response = await fetch(`${instance.url}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id }),
    });
    await response.body?.cancel();
    return response.status === 200;
  } catch (error) {
    // A killed instance refuses or resets the connection: that job was not accepted.
    if (error instanceof TypeError) return false;
    throw error;
  }
}

/** Sends jobs `prefix-0..n-1` round-robin over the live instances, `concurrency` at a time. */
async function load(
  targets: () => Instance[],
  prefix: string,
  options: { count: number; concurrency: number; onAccepted?: (n: number) => void },
): Promise<string[]> {
  const accepted: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const n = next++;
      const live = targets();
      const id = `${prefix}-${n}`;
      if (await enqueue(live[n % live.length]!, id)) {
        accepted.push(id);
        options.onAccepted?.(accepted.length);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return accepted;
}

/** Waits until every id was handled by every group; returns the deliveries per group. */
async function handledByEveryGroup(
  cluster: Cluster,
  ids: readonly string[],
  timeoutMs: number,
): Promise<Map<string, Map<string, number>>> {
  const deadline = Date.now() + timeoutMs;
  const wanted = new Set(ids);
  for (;;) {
    const byGroup = new Map<string, Map<string, number>>();
    for (const group of GROUPS) {
      const lines = await records(cluster, group);
      byGroup.set(group, tally(lines.map(([id]) => id).filter((id) => wanted.has(id))));
    }
    const missing = GROUPS.map((g) => ids.length - byGroup.get(g)!.size);
    if (missing.every((m) => m === 0)) return byGroup;
    if (Date.now() > deadline) {
      assert.fail(
        `Lost events after ${timeoutMs} ms: ${GROUPS.map((g, i) => `${g} ${missing[i]}`)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function duplicates(counts: Map<string, number>): number {
  let extra = 0;
  for (const n of counts.values()) extra += n - 1;
  return extra;
}

/** Which processes handled how many deliveries of these ids, per group. */
async function spread(cluster: Cluster, prefix: string): Promise<string> {
  const parts: string[] = [];
  for (const group of GROUPS) {
    const lines = (await records(cluster, group)).filter(([id]) => id.startsWith(`${prefix}-`));
    const byPid = [...tally(lines.map(([, pid]) => pid)).values()].sort((a, b) => b - a);
    parts.push(`${group} [${byPid.join(", ")}]`);
  }
  return parts.join("; ");
}

async function eventsOncePerGroup(cluster: Cluster, adapter: string): Promise<void> {
  const started = performance.now();
  const accepted = await load(() => cluster.instances, "once", { count: 1000, concurrency: 12 });
  assert.equal(accepted.length, 1000, "every job is accepted while all instances run");
  const byGroup = await handledByEveryGroup(cluster, accepted, 120_000);
  const ms = performance.now() - started;
  // At-least-once: a redelivery is allowed; it is counted and reported, never a loss.
  const dups = GROUPS.map((g) => `${g} ${duplicates(byGroup.get(g)!)}`).join(", ");
  report(
    `${adapter}: 1,000 events x 2 groups handled in ${(ms / 1000).toFixed(1)} s; ` +
      `duplicates: ${dups}; deliveries per process: ${await spread(cluster, "once")}`,
  );
}

async function cronOncePerTick(cluster: Cluster, adapter: string): Promise<void> {
  // The window starts on the next whole second and lasts ten ticks.
  const first = Math.floor(Date.now() / 1000) + 2;
  const last = first + 9;
  await new Promise((r) => setTimeout(r, (last + 1) * 1000 - Date.now() + 1500));
  const runs = (await records(cluster, "beat")).filter(([s]) => +s >= first && +s <= last);
  const perTick = tally(runs.map(([s]) => s));
  const ticks = Array.from({ length: 10 }, (_, i) => String(first + i));
  const counts = ticks.map((s) => perTick.get(s) ?? 0);
  const pids = new Set(runs.map(([, pid]) => pid)).size;
  report(
    `${adapter}: cron runs per tick over 10 s: [${counts.join(", ")}], by ${pids} process(es)`,
  );
  assert.deepEqual(counts, ticks.map(() => 1), "each tick runs exactly once across instances");
}

async function killUnderLoad(cluster: Cluster, adapter: string): Promise<void> {
  const victim = cluster.instances[2]!;
  const live = new Set(cluster.instances);
  let killed: Promise<unknown> | null = null;
  const accepted = await load(() => [...live], "kill", {
    count: 600,
    concurrency: 12,
    onAccepted: (n) => {
      if (n !== 150 || killed) return;
      killed = victim.kill();
      live.delete(victim);
    },
  });
  await killed;
  const started = performance.now();
  const byGroup = await handledByEveryGroup(cluster, accepted, 120_000);
  const dups = GROUPS.map((g) => `${g} ${duplicates(byGroup.get(g)!)}`).join(", ");
  report(
    `${adapter}: kill -9 under load: ${accepted.length} of 600 accepted, all handled ` +
      `(${
        ((performance.now() - started) / 1000).toFixed(1)
      } s after the load); duplicates: ${dups}`,
  );
}
