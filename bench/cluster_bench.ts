// deno-lint-ignore-file no-console -- a benchmark prints its results
/**
 * Events/s and handler-start latency on NATS JetStream with one `rohas start` instance and with
 * three (separate processes sharing the consumer group), in one run. The benchmark publishes from
 * its own process straight to the broker, each event stamped with its publish time; the handler
 * appends when it started and how long after the publish. Throughput: `--events` events, 32
 * publishes in flight, over the time from the first publish to the last handler start. Latency:
 * then `--paced` events, one every 5 ms (below what one instance handles, so nothing queues).
 *
 *   deno run -A bench/cluster_bench.ts [--events 3000] [--paced 300]
 *
 * Needs NATS running (`scripts/brokers/start.sh`; `ROHAS_TEST_NATS_URL` overrides where).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createAdapter } from "../adapters/mod.ts";
import { EventBus } from "../engine/events/mod.ts";
import { loadConfig } from "../project/mod.ts";
import { brokerUrl } from "../scripts/brokers/urls.ts";
import { machineLine } from "./_machine.ts";
import { benchConfig, CLI, percentile, startServer, wallMs, writeProject } from "./_project.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "3000" },
    paced: { type: "string", default: "300" },
  },
});
const EVENTS = Number(args.values.events);
const PACED = Number(args.values.paced);
const PACE_MS = 5;
const IN_FLIGHT = 32;

const HANDLER = `export function handleWork(event: { payload: { sentAt: number } }): void {
  const now = performance.timeOrigin + performance.now();
  Deno.writeTextFileSync("out/started.log", \`\${now} \${now - event.payload.sentAt}\\n\`, {
    append: true,
  });
}
`;

/** The project: one event, one handler that records its start; a fresh name (fresh groups). */
function projectFiles(): Record<string, string> {
  const name = `cluster-bench-${crypto.randomUUID().slice(0, 8)}`;
  const config = benchConfig(name, `[permissions]\nwrite = ["out"]\n`)
    .replace("port = 3999", "port = 3999\nworkers = 0")
    .replace('type = "memory"', `type = "nats"\nurl = "${brokerUrl("nats")}"`);
  return {
    "config/rohas.toml": config,
    "schema/app.ro": `event Work {\n  payload: Json\n  handler: [work]\n}\n`,
    "src/handlers/events/work.ts": HANDLER,
    "out/.keep": "",
  };
}

/** A bus of the benchmark's own on the cluster's broker and project name. */
async function openBus(dir: string): Promise<EventBus> {
  const { config } = await loadConfig(dir);
  const adapter = await createAdapter(config.adapter, {
    projectRoot: dir,
    service: config.project.name,
    onError: (error) => console.error(error),
  });
  const bus = new EventBus(adapter);
  await bus.start();
  return bus;
}

function publish(bus: EventBus): Promise<unknown> {
  return bus.publish("Work", { sentAt: wallMs() }, { parentId: null, source: "bench" });
}

/** Publishes EVENTS with IN_FLIGHT at once; when the first was sent. */
async function publishAll(bus: EventBus): Promise<number> {
  const started = wallMs();
  let next = 0;
  const worker = async () => {
    while (next < EVENTS) {
      next++;
      await publish(bus);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return started;
}

/** Publishes PACED events, one every PACE_MS. */
async function publishPaced(bus: EventBus): Promise<void> {
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < PACED; i++) {
    sent.push(publish(bus));
    await new Promise((resolve) => setTimeout(resolve, PACE_MS));
  }
  await Promise.all(sent);
}

/** Waits until `count` handlers started in all; the start times and latencies. */
async function handled(dir: string, count: number): Promise<{ at: number[]; latency: number[] }> {
  const deadline = Date.now() + 300_000;
  while (true) {
    const text = await Deno.readTextFile(`${dir}/out/started.log`).catch(() => "");
    const lines = text.split("\n").filter((l) => l !== "");
    if (lines.length >= count) {
      const rows = lines.map((l) => l.split(" ").map(Number));
      return { at: rows.map((r) => r[0]!), latency: rows.map((r) => r[1]!) };
    }
    if (Date.now() > deadline) throw new Error(`Only ${lines.length} of ${count} events handled`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function run(instances: number): Promise<string> {
  const dir = await writeProject(projectFiles());
  // Separate processes from one checkout, as users run them (each its own port and instance id).
  const servers = await Promise.all(
    Array.from(
      { length: instances },
      () => startServer(["run", "-A", CLI, "start", "--port", "0", dir], { cwd: dir }),
    ),
  );
  const bus = await openBus(dir);
  const started = await publishAll(bus);
  const { at } = await handled(dir, EVENTS);
  await publishPaced(bus);
  const { latency } = await handled(dir, EVENTS + PACED);
  await bus.close();
  await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
  await Deno.remove(dir, { recursive: true });
  const seconds = (Math.max(...at) - started) / 1000;
  const rate = Math.round(EVENTS / seconds).toLocaleString("en-US");
  const paced = latency.slice(EVENTS);
  const p = (q: number) => percentile(paced, q).toFixed(2);
  return `nats, ${instances} instance${instances === 1 ? " " : "s"}: ${rate} events/s; ` +
    `handler start p50 ${p(50)} ms, p99 ${p(99)} ms`;
}

console.log(machineLine());
console.log(
  `${EVENTS} events with ${IN_FLIGHT} publishes in flight, then ${PACED} one every ${PACE_MS} ms; ` +
    "one consumer group",
);
for (const instances of [1, 3]) console.log(await run(instances));
