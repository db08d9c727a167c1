// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Events benchmark, measured side by side in one run. Targets: memory adapter, API request to
 * handler start p50 under 0.5 ms; at least 50,000 events/s delivered to TypeScript handlers (through
 * `rohas start` and in process), against the bare bus of the same run:
 *
 * 1. Through the whole engine (`rohas start`, memory adapter, TS handlers in Workers): an API whose
 *    schema `triggers:` an event; the event handler notes the wall-clock time it started and the
 *    send time the client put in the body, so latency is request send to handler start. Reference:
 *    the HTTP round trip of the same kind of API without an event, in the same run.
 * 2. Events per second through the engine: many clients at once, and one request that triggers
 *    thousands of events (the delivery path alone).
 * 3. The engine's delivery path in one process (bus, wiring, telemetry, Worker runtime; no HTTP),
 *    to an ordered and to an `ordered: false` handler, with the CPU time per event.
 * 4. The bare {@linkcode EventBus} on the memory adapter, in process: publish to handler start.
 *
 *   deno run -A bench/events_bench.ts [--requests 1000] [--connections 32] [--burst 10000]
 *     [--burst-rounds 3] [--adapter memory|rocksdb|denokv]
 *
 * `--adapter` runs the rows through `rohas start` (1 and 2) on an embedded adapter other than the
 * targets' memory adapter; the in-process and bare rows stay on the memory adapter.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { EventBus } from "../engine/events/mod.ts";
import {
  CLI,
  clockTicks,
  percentile,
  procStat,
  type Server,
  startServer,
  wallMs,
} from "./_project.ts";
import { machineLine } from "./_machine.ts";
import { targetLine } from "./_targets.ts";
import { Collector } from "./_collector.ts";
import { engineEvents, type EngineRate } from "./_engine_events.ts";
import { EVENTS_ADAPTERS, type EventsAdapter, writeEventsProject } from "./_events_project.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "1000" },
    connections: { type: "string", default: "32" },
    burst: { type: "string", default: "10000" },
    "burst-rounds": { type: "string", default: "3" },
    adapter: { type: "string", default: "memory" },
  },
});
if (!(EVENTS_ADAPTERS as readonly string[]).includes(values.adapter)) {
  console.error(`--adapter must be one of ${EVENTS_ADAPTERS.join(", ")}, not "${values.adapter}"`);
  Deno.exit(2);
}
const ADAPTER = values.adapter as EventsAdapter;
const REQUESTS = Number(values.requests);
const CONNECTIONS = Number(values.connections);
const BURST = Number(values.burst);
/** Bursts measured after the first, of each event; their median is the row. */
const BURST_ROUNDS = Number(values["burst-rounds"]);
const TARGET_P50_MS = 0.5;
const TARGET_EVENTS_PER_SECOND = 50_000;

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`POST ${url}: status ${response.status}`);
}

/** Sends `count` requests one after another; returns each round trip in ms. */
async function sequential(url: string, phaseName: string, count: number): Promise<number[]> {
  const trips: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = wallMs();
    await post(url, { t, phase: phaseName });
    trips.push(wallMs() - t);
  }
  return trips;
}

/** Sends `count` requests from `connections` clients at once; returns [first send, last reply]. */
async function concurrent(
  url: string,
  phaseName: string,
  count: number,
  connections: number,
): Promise<[number, number]> {
  let next = 0;
  const started = wallMs();
  const client = async () => {
    while (next < count) {
      next++;
      await post(url, { t: wallMs(), phase: phaseName });
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  return [started, wallMs()];
}

function latencyRow(label: string, values: number[]): string {
  return `  ${label.padEnd(56)} p50 ${percentile(values, 50).toFixed(3)} ms  p99 ${
    percentile(values, 99).toFixed(3)
  } ms  (n=${values.length})`;
}

function rateRow(label: string, perSecond: number, unit = "events/s"): string {
  return `  ${label.padEnd(56)} ${perSecond.toFixed(0).padStart(8)} ${unit}`;
}

/**
 * One request at a time, each waiting until its event's handler started (a closed loop, so no
 * backlog of earlier events inflates the latency); returns each HTTP round trip in ms.
 */
async function oneEventAtATime(url: string, collector: Collector): Promise<number[]> {
  const trips: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = wallMs();
    await post(url, { t, phase: "latency" });
    trips.push(wallMs() - t);
    await collector.phase("latency", i + 1);
  }
  return trips;
}

/** What the run through the engine measured, for the target lines. */
interface EngineResult {
  p50: number;
  burstOrdered: Rate;
  burstAnyOrder: Rate;
}

/** Events per second and the server's CPU per event (all its processes and threads). */
interface Rate {
  perSecond: number;
  cpuUs: number;
}

/** CPU milliseconds used so far by a process and its children (Linux `/proc`; 0 elsewhere). */
function treeCpuMs(pid: number, ticksPerSecond: number): number {
  let ticks = procStat(`/proc/${pid}/stat`)?.ticks ?? 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = procStat(`/proc/${entry.name}/stat`);
    if (stat?.ppid === pid) ticks += stat.ticks;
  }
  return ticks * 1000 / ticksPerSecond;
}

/**
 * One request whose handler triggers `BURST` events of `event`: first send to last handler start,
 * and the server's CPU time over that span per event.
 */
async function burst(
  server: Server,
  collector: Collector,
  at: { event: string; phase: string },
): Promise<Rate> {
  const ticks = await clockTicks();
  const cpu = treeCpuMs(server.child.pid, ticks);
  const sent = wallMs();
  await post(`${server.url}/burst`, { n: BURST, t: sent, phase: at.phase, event: at.event });
  const starts = await collector.phase(at.phase, BURST);
  const cpuUs = (treeCpuMs(server.child.pid, ticks) - cpu) * 1000 / BURST;
  return { perSecond: BURST / ((Math.max(...starts.map((r) => r.at)) - sent) / 1000), cpuUs };
}

/**
 * The first burst of `event` (the `Burst` handler and, for `PingAnyOrder`, the event handler load;
 * the series' path runs for the first time), then the median of `BURST_ROUNDS` more: the rate of a
 * running server, as the in-process rows measure theirs after a warm-up.
 */
async function bursts(
  server: Server,
  collector: Collector,
  event: string,
): Promise<{ first: Rate; warm: Rate }> {
  const first = await burst(server, collector, { event, phase: `${event}-first` });
  const warm: Rate[] = [];
  for (let i = 0; i < BURST_ROUNDS; i++) {
    warm.push(await burst(server, collector, { event, phase: `${event}-${i}` }));
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
  return {
    first,
    warm: {
      perSecond: median(warm.map((r) => r.perSecond)),
      cpuUs: median(warm.map((r) => r.cpuUs)),
    },
  };
}

async function throughEngine(server: Server, collector: Collector): Promise<EngineResult> {
  const url = server.url;
  await sequential(`${url}/emit`, "warm", 200);
  await concurrent(`${url}/emit`, "warm", 1000, CONNECTIONS);
  await collector.phase("warm", 1200);
  const plain = await sequential(`${url}/plain`, "plain", REQUESTS);
  const trips = await oneEventAtATime(`${url}/emit`, collector);
  const latency = (await collector.phase("latency", REQUESTS)).map((r) => r.latency);

  const count = REQUESTS * 5;
  const [first, lastReply] = await concurrent(`${url}/emit`, "rate", count, CONNECTIONS);
  const rate = await collector.phase("rate", count);
  const lastHandled = Math.max(...rate.map((r) => r.at));
  const requestsPerSecond = count / ((lastReply - first) / 1000);
  const eventsPerSecond = count / ((lastHandled - first) / 1000);

  const ordered = await bursts(server, collector, "Ping");
  const anyOrder = await bursts(server, collector, "PingAnyOrder");

  const p50 = percentile(latency, 50);
  console.log(`through the engine (rohas start, ${ADAPTER} adapter, TS handlers in Workers)`);
  console.log(latencyRow("API request send -> event handler start", latency));
  console.log(latencyRow("HTTP round trip of that API (same requests)", trips));
  console.log(latencyRow("reference: HTTP round trip of an API, no event", plain));
  console.log(
    `  ratio event latency p50 / plain HTTP round trip p50: ${
      (p50 / percentile(plain, 50)).toFixed(2)
    }x`,
  );
  console.log(rateRow(`${CONNECTIONS} clients, one event per request`, eventsPerSecond));
  console.log(rateRow(`  (HTTP requests of the same run)`, requestsPerSecond, "req/s"));
  const burstRow = (label: string, rate: Rate) =>
    console.log(`${rateRow(label, rate.perSecond)}  cpu/event ${rate.cpuUs.toFixed(1)} us`);
  const warm = `median of ${BURST_ROUNDS} after the first`;
  burstRow(`one request triggering ${BURST} events, ordered handler, ${warm}`, ordered.warm);
  burstRow(`  the same, handler with ordered: false, ${warm}`, anyOrder.warm);
  burstRow(`  (the first such request, ordered handler)`, ordered.first);
  burstRow(`  (the first such request, ordered: false)`, anyOrder.first);
  return { p50, burstOrdered: ordered.warm, burstAnyOrder: anyOrder.warm };
}

async function bareBus(): Promise<number> {
  const bus = new EventBus(createMemoryAdapter());
  await bus.start();
  try {
    return await measureBus(bus);
  } finally {
    await bus.close();
  }
}

async function measureBus(bus: EventBus): Promise<number> {
  let notify: () => void = () => {};
  const latencies: number[] = [];
  let handled = 0;
  await bus.subscribe("Ping", "bench.record_ping", (envelope) => {
    latencies.push(performance.now() - (envelope.payload as { t: number }).t);
    handled++;
    notify();
    return Promise.resolve();
  });
  const options = { parentId: null, source: "bench" };
  const one = async () => {
    const done = new Promise<void>((resolve) => notify = resolve);
    await bus.publish("Ping", { t: performance.now() }, options);
    await done;
  };
  for (let i = 0; i < 1000; i++) await one();
  latencies.length = 0;
  for (let i = 0; i < REQUESTS * 10; i++) await one();
  const sequentialLatencies = [...latencies];

  const count = BURST * 10;
  handled = 0;
  const all = Promise.withResolvers<void>();
  notify = () => handled === count && all.resolve();
  const started = performance.now();
  for (let i = 0; i < count; i++) await bus.publish("Ping", { t: started }, options);
  await all.promise;
  const perSecond = count / ((performance.now() - started) / 1000);
  console.log(`bare EventBus on the memory adapter, in process (no HTTP, no Worker)`);
  console.log(latencyRow("publish -> handler start, one at a time", sequentialLatencies));
  console.log(rateRow(`${count} published back to back`, perSecond));
  return perSecond;
}

/** The engine's delivery path in this process, to an ordered and to an `ordered: false` handler. */
async function inProcess(): Promise<[EngineRate, EngineRate]> {
  const count = BURST * 2;
  const ordered = await engineEvents(count);
  const anyOrder = await engineEvents(count, { ordered: false });
  const row = (label: string, rate: EngineRate) =>
    console.log(`${rateRow(label, rate.perSecond)}  cpu/event ${rate.cpuUs.toFixed(1)} us`);
  console.log(`the engine in process (bus, wiring, telemetry, TS handlers in Workers; no HTTP)`);
  row(`${count} published back to back, ordered handler`, ordered);
  row(`  the same, handler with ordered: false`, anyOrder);
  return [ordered, anyOrder];
}

function targetLines(engine: EngineResult, bus: number, local: [EngineRate, EngineRate]): void {
  if (ADAPTER !== "memory") {
    console.log(`(the targets are the memory adapter's: no target line for ${ADAPTER})`);
    return;
  }
  const rate = (label: string, perSecond: number) =>
    console.log(targetLine(
      `${label} >= ${TARGET_EVENTS_PER_SECOND} events/s`,
      perSecond >= TARGET_EVENTS_PER_SECOND,
      `${perSecond.toFixed(0)} events/s, ${(perSecond / bus).toFixed(3)}x the bare bus`,
    ));
  console.log(targetLine(
    `memory adapter API -> handler p50 < ${TARGET_P50_MS} ms`,
    engine.p50 < TARGET_P50_MS,
    `p50 ${engine.p50.toFixed(3)} ms`,
  ));
  rate("one request's events to an ordered handler", engine.burstOrdered.perSecond);
  rate("one request's events to an ordered: false handler", engine.burstAnyOrder.perSecond);
  rate("in process, to an ordered handler", local[0].perSecond);
  rate("in process, to an ordered: false handler", local[1].perSecond);
}

if (import.meta.main) {
  console.log(machineLine());
  const collector = new Collector();
  const root = await writeEventsProject(collector.port, ADAPTER);
  try {
    let engine: EngineResult;
    {
      await using server = await startServer(["run", "-A", CLI, "start", "--port", "0", root]);
      engine = await throughEngine(server, collector);
    }
    const local = await inProcess();
    targetLines(engine, await bareBus(), local);
  } finally {
    await collector.close();
    await Deno.remove(root, { recursive: true });
  }
}
