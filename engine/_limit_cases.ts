/**
 * The flow limits on a real adapter: cases of the flow conformance suite every adapter's test
 * file runs (engine/flow_conformance.ts), each through the engine's event wiring on fresh topic and
 * group names, with two engine instances on the adapter's broker sharing one state store (one
 * instance for an adapter whose instances cannot share events). `concurrency: 2 by key` is never
 * exceeded per key, `rate` runs its budget and drops the rest, `throttle` runs every event and
 * none over the budget of a window.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Adapter } from "../adapters/mod.ts";
import { createMemoryKvBackend, type Kv, kvOver } from "../state/mod.ts";
import { parseConfig } from "../project/mod.ts";
import type { MetricSample, Telemetry } from "../telemetry/mod.ts";
import { type AppModel, singleHandlerModel, type SubscriptionControls } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import { EventBus } from "./events/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";
import { DeliveryCounter, subscribeEvents } from "./event_wiring.ts";
import { createNoopTelemetry } from "./_noop_telemetry.ts";

/** What the cases need to know of the adapter (engine/flow_conformance.ts passes its options). */
export interface LimitsCaseOptions {
  /** Creates an adapter, not yet started; every call reaches the same broker or storage. */
  create: () => Promise<Adapter>;
  /** Two adapters never share events (memory, embedded stores): one instance runs. Default false. */
  singleProcess?: boolean;
  /** Deadline for every event to be handled, in milliseconds. Default 30000. */
  timeoutMs?: number;
}

/** What one handler run saw. */
interface Run {
  key: string;
  start: number;
  end: number;
}

/** The limits cases, named, for the flow conformance suite. */
export const LIMIT_CASES: [string, (options: LimitsCaseOptions) => Promise<void>][] = [
  ["concurrency: 2 by key is never exceeded, across instances", concurrencyHolds],
  ["rate: runs its budget per window and drops the rest", rateDrops],
  ["throttle: runs every event, none over a window's budget", throttleWaits],
];

async function concurrencyHolds(options: LimitsCaseOptions): Promise<void> {
  const { runs } = await runEvents(options, {
    controls: { concurrency: { limit: 2, key: "key" } },
    payloads: Array.from({ length: 30 }, (_, n) => ({ key: `k${n % 3}`, n })),
    workMs: 15,
  });
  const max = maxInFlight(runs);
  assert.deepEqual(Object.keys(max).sort(), ["k0", "k1", "k2"]);
  for (const [key, n] of Object.entries(max)) assert.ok(n <= 2, `key ${key}: ${n} at once`);
}

async function rateDrops(options: LimitsCaseOptions): Promise<void> {
  // An hour's window: the test never spans two.
  const { runs, held } = await runEvents(options, {
    controls: { rate: { limit: 4, period_ms: 3_600_000 } },
    payloads: Array.from({ length: 10 }, (_, n) => ({ key: "k", n })),
    workMs: 0,
  });
  assert.equal(runs.length, 4, "the budget's runs");
  assert.equal(held.get("rate"), 6, "the events over the budget, counted");
}

async function throttleWaits(options: LimitsCaseOptions): Promise<void> {
  // One run a second: the next event reaches the limiter within its window even from a broker
  // that delivers one event a second under load, so every event after the first must wait. (At 3
  // a second, a loaded CI machine's denokv adapter once delivered too slowly for any to wait.)
  const period = 1_000;
  const { runs, held } = await runEvents(options, {
    controls: { throttle: { limit: 1, period_ms: period } },
    payloads: Array.from({ length: 4 }, (_, n) => ({ key: "k", n })),
    workMs: 0,
  });
  assert.equal(runs.length, 4, "every event ran");
  const windows = chargedWindows(runs.map((run) => run.start), { period, limit: 1 });
  assert.ok([...windows.values()].every((n) => n <= 1), `per window: ${[...windows.values()]}`);
  assert.ok(windows.size >= 4, `4 runs at 1 a window took 4 windows or more (${windows.size})`);
  // One at a time (the group keeps its order), the first over each window's budget waits.
  assert.ok((held.get("throttle") ?? 0) >= 2, "the events over the budget waited");
}

/** How long after the limiter charged a run it may start (a busy event loop, a cold broker). */
const START_SLACK_MS = 100;

/**
 * Runs per throttle window, by start time. A run starts a moment after the limiter charged it to
 * a window, so one charged at the very end of a window may start in the next: a run that starts
 * within {@linkcode START_SLACK_MS} of a window's start counts with the window before while that
 * one has room.
 */
function chargedWindows(
  starts: number[],
  budget: { period: number; limit: number },
): Map<number, number> {
  const windows = new Map<number, number>();
  for (const start of [...starts].sort((a, b) => a - b)) {
    const late = Math.floor((start - START_SLACK_MS) / budget.period);
    const own = Math.floor(start / budget.period);
    const window = late < own && (windows.get(late) ?? 0) < budget.limit ? late : own;
    windows.set(window, (windows.get(window) ?? 0) + 1);
  }
  return windows;
}

interface Scenario {
  controls: SubscriptionControls;
  payloads: { key: string; n: number }[];
  workMs: number;
}

/**
 * Publishes the payloads through one instance and handles them with one or two, sharing one
 * state store; resolves once every delivery was settled, with the runs and the held counts.
 */
async function runEvents(options: LimitsCaseOptions, scenario: Scenario) {
  const id = crypto.randomUUID().slice(0, 8);
  const model = modelOf(`limits_${id}`, `Limited_${id}`, scenario.controls);
  const kv = kvOver(createMemoryKvBackend());
  const runs: Run[] = [];
  const held = new Map<string, number>();
  const work = async (event: { payload: { key: string } }) => {
    const start = Date.now();
    if (scenario.workMs > 0) await new Promise((r) => setTimeout(r, scenario.workMs));
    runs.push({ key: event.payload.key, start, end: Date.now() });
  };
  const telemetry = countingTelemetry(held);
  const count = options.singleProcess ? 1 : 2;
  const instances = [];
  for (let i = 0; i < count; i++) {
    instances.push(await startInstance(options, { model, kv, telemetry, work, index: i }));
  }
  try {
    const all = scenario.payloads.length;
    const topic = model.events[0]!.event;
    for (const payload of scenario.payloads) {
      await instances[0]!.bus.publish(topic, payload, { parentId: null, source: "workbench" });
    }
    await settled(instances.map((i) => i.counter), all, options.timeoutMs ?? 30_000);
  } finally {
    for (const instance of instances) await instance.close();
    await kv.close();
  }
  return { runs, held };
}

async function startInstance(
  options: LimitsCaseOptions,
  ctx: {
    model: AppModel;
    kv: Kv;
    telemetry: Telemetry;
    work: (event: { payload: { key: string } }) => Promise<void>;
    index: number;
  },
) {
  const bus = new EventBus(await options.create(), { retry: { maxAttempts: 3, backoffMs: 5 } });
  await bus.start();
  const root = ctx.model.root;
  const parts: EngineParts = {
    runtime: createInProcessRuntime({
      manifest: {
        root: `file://${root}/`,
        modules: { "src/handlers/events/work.ts": { work: ctx.work } },
      },
    }),
    publisher: { publish: (topic, payload, o) => bus.publish(topic, payload, o) },
    telemetry: ctx.telemetry,
    validators: new Map(),
    config: parseConfig(`[server]\ninstance_id = "i${ctx.index}"\n`, { file: "rohas.toml" }),
    mode: "dev",
  };
  const counter = new DeliveryCounter();
  const subs = await subscribeEvents(ctx.model, parts, bus, { counter, sharedState: ctx.kv });
  return {
    bus,
    counter,
    close: async () => {
      for (const sub of subs) await sub.close();
      await bus.close();
      await parts.runtime.close();
    },
  };
}

function modelOf(project: string, event: string, controls: SubscriptionControls): AppModel {
  return singleHandlerModel({ project, root: `/${project}`, event, controls });
}

/** A telemetry that counts `rohas_flow_held_total` by `control/outcome` and records nothing else. */
function countingTelemetry(held: Map<string, number>): Telemetry {
  const base = createNoopTelemetry();
  return {
    ...base,
    metric(sample: MetricSample) {
      if (sample.name !== "rohas_flow_held_total") return;
      const name = sample.labels.control!;
      held.set(name, (held.get(name) ?? 0) + sample.value);
    },
  };
}

/** Waits until the instances settled `total` deliveries between them. */
async function settled(counters: DeliveryCounter[], total: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = counters.reduce((sum, c) => sum + c.settled, 0);
    if (done >= total) return;
    if (Date.now() > deadline) assert.fail(`${done} of ${total} deliveries settled`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The most runs of one key at once (at one millisecond, an end counts before a start). */
function maxInFlight(runs: Run[]): Record<string, number> {
  const points = runs.flatMap((r) => [
    { key: r.key, at: r.start, step: 1 },
    { key: r.key, at: r.end, step: -1 },
  ]).sort((a, b) => a.at - b.at || a.step - b.step);
  const running = new Map<string, number>();
  const max: Record<string, number> = {};
  for (const p of points) {
    const now = (running.get(p.key) ?? 0) + p.step;
    running.set(p.key, now);
    max[p.key] = Math.max(max[p.key] ?? 0, now);
  }
  return max;
}
