// Delayed events with three `rohas start` instances (one edge each) on each real broker, sharing
// the default [state] (a Deno KV file): each delayed event is published once, within 500 ms of its
// time; a cancelled one never; and one waiting while every instance is killed with kill -9 is
// published on time after a restart.
import assert from "node:assert/strict";
import { BROKERS, type ClusterAdapter, startCluster } from "./_instances.ts";

const FIXTURE = new URL("./delay_fixture/", import.meta.url).pathname;

interface Run {
  id: string;
  late: number;
  pid: string;
  /** How late it was published (its envelope's timestamp). */
  published: number;
}

async function runs(dir: string): Promise<Run[]> {
  const text = await Deno.readTextFile(`${dir}/out/reminded.log`).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  });
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const [id, late, pid, published] = line.split(" ");
    return { id: id!, late: Number(late), pid: pid!, published: Number(published) };
  });
}

/** Resolves once the log has a run of every id (looking every 50 ms: the log is a file). */
async function ran(dir: string, ids: string[], timeoutMs = 60_000): Promise<Run[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await runs(dir);
    if (ids.every((id) => seen.some((run) => run.id === id))) return seen;
    if (Date.now() > deadline) throw new Error(`Timed out: ran ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function post(url: string, body?: unknown): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

for (const broker of BROKERS) {
  Deno.test({
    name: `three instances on ${broker} publish each delayed event once, on time, and after ` +
      "kill -9 of them all",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => delayedAcrossInstances(broker),
  });
}

async function delayedAcrossInstances(broker: ClusterAdapter): Promise<void> {
  await using cluster = await startCluster({ adapter: broker, from: FIXTURE });
  const a = cluster.instances[0]!;
  const b = cluster.instances[1]!;
  const c = cluster.instances[2]!;
  // One each first, so every instance has run the handler (its Worker started) before the measure.
  const warm = ["w0", "w1", "w2"];
  await Promise.all(warm.map((id, n) => post(`${[a, b, c][n]!.url}/remind`, { id, delayMs: 0 })));
  await ran(cluster.dir, warm);
  const ids = Array.from({ length: 9 }, (_, n) => `r${n}`);
  await Promise.all(
    ids.map((id, n) => post(`${[a, b, c][n % 3]!.url}/remind`, { id, delayMs: 1_500 })),
  );
  await post(`${a.url}/remind`, { id: "cancelled", delayMs: 1_000 });
  await post(`${b.url}/remind/cancelled/cancel`);
  const seen = (await ran(cluster.dir, ids)).filter((run) => !warm.includes(run.id));
  assert.deepEqual(seen.map((run) => run.id).toSorted(), ids.toSorted(), "each once");
  // Published (the envelope's time) within 500 ms of its time (250 ms on a quiet machine); handled after the broker's own
  // delivery latency on top (SQS and Kafka consumers poll), kept under a second.
  assert.ok(seen.every((run) => run.published >= 0 && run.published < 500), JSON.stringify(seen));
  assert.ok(seen.every((run) => run.late < 1_000), JSON.stringify(seen));
  assert.ok(new Set(seen.map((run) => run.pid)).size > 1, "more than one instance published");

  // Due after every instance is killed and one is started again.
  await post(`${a.url}/remind`, { id: "restarted", delayMs: 20_000 });
  await Promise.all(cluster.instances.map((instance) => instance.kill()));
  await a.start();
  const after = await ran(cluster.dir, ["restarted"]);
  const restarted = after.filter((run) => run.id === "restarted");
  assert.equal(restarted.length, 1);
  // Published on time by the restarted instance; its handler's first run also starts its Worker.
  const [again] = restarted;
  assert.ok(again!.published >= 0 && again!.published < 500, JSON.stringify(restarted));
  assert.ok(again!.late < 1_000, JSON.stringify(restarted));
  assert.ok(!after.some((run) => run.id === "cancelled"), "the cancelled one never ran");
}
