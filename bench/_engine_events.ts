/**
 * The delivery path of the engine in one process, without HTTP or edges: the event bus on the memory
 * adapter, the engine's event wiring (traces, retries, dead letters, telemetry on a memory store)
 * and TypeScript handlers in the Worker runtime, as `rohas start`'s main process runs them. Events
 * are published back to back; the rate counts until every delivery settled, and the CPU time is the
 * whole process's (every thread, the Workers' included) per event.
 *
 * @module
 */

import process from "node:process";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { EventBus } from "../engine/events/mod.ts";
import { createWorkerRuntime } from "../engine/runtime/mod.ts";
import {
  type AppModel,
  type EngineParts,
  singleHandlerModel,
  type SubscriptionControls,
} from "../engine/mod.ts";
import { DeliveryCounter, subscribeEvents } from "../engine/event_wiring.ts";
import { parseConfig } from "../project/mod.ts";
import { createTelemetry } from "../telemetry/mod.ts";

/** Events per second and CPU microseconds per event. */
export interface EngineRate {
  perSecond: number;
  cpuUs: number;
}

const HANDLER = "export function handleWork(_event: unknown) {}\n";

function modelOf(root: string, controls: SubscriptionControls | undefined): AppModel {
  return singleHandlerModel({
    project: "bench",
    root,
    event: "Job",
    exportName: "handleWork",
    controls,
  });
}

/**
 * Publishes `count` events to one handler (after a warm-up) and waits until all were handled.
 *
 * @param count events to publish
 * @param controls the handler's flow controls (`{ ordered: false }`), or none
 * @returns the rate and the CPU per event
 */
export async function engineEvents(
  count: number,
  controls?: SubscriptionControls,
): Promise<EngineRate> {
  const root = await Deno.makeTempDir({ prefix: "rohas-engine-events-" });
  await Deno.mkdir(`${root}/src/handlers/events`, { recursive: true });
  await Deno.writeTextFile(`${root}/src/handlers/events/work.ts`, HANDLER);
  const config = parseConfig("", { file: "rohas.toml", projectName: "bench" });
  const bus = new EventBus(createMemoryAdapter());
  await bus.start();
  const telemetry = await createTelemetry(
    parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" }).telemetry,
    { root, otel: false },
  );
  const parts: EngineParts = {
    runtime: createWorkerRuntime({ root, permissions: config.permissions }),
    publisher: { publish: (topic, payload, options) => bus.publish(topic, payload, options) },
    telemetry,
    validators: new Map(),
    config,
    mode: "production",
  };
  const counter = new DeliveryCounter();
  const subs = await subscribeEvents(modelOf(root, controls), parts, bus, { counter });
  try {
    await publishAndWait(bus, counter, Math.min(count, 2000));
    return await publishAndWait(bus, counter, count);
  } finally {
    for (const sub of subs) await sub.close();
    await bus.close();
    await parts.runtime.close();
    await telemetry.close();
    await Deno.remove(root, { recursive: true });
  }
}

async function publishAndWait(
  bus: EventBus,
  counter: DeliveryCounter,
  count: number,
): Promise<EngineRate> {
  const options = { parentId: null, source: "bench" };
  counter.expect(count);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) await bus.publish("Job", { i }, options);
  await counter.idle();
  const used = process.cpuUsage(cpu);
  return {
    perSecond: count / ((performance.now() - started) / 1000),
    cpuUs: (used.user + used.system) / count,
  };
}
