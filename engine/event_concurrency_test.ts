// The `concurrency` flow control within one instance: the measured maximum of handler runs in
// flight per key reaches the declared limit and never passes it, while other keys run alongside.
import assert from "node:assert/strict";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { EventBus } from "./events/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";
import { type AppModel, singleHandlerModel, type SubscriptionControls } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import { DeliveryCounter, groupsOf, subscribeEvents } from "./event_wiring.ts";
import { parseConfig } from "../project/mod.ts";
import { createTelemetry } from "../telemetry/mod.ts";

const ROOT = "/rohas-concurrency-test";

function modelWith(controls: SubscriptionControls): AppModel {
  return singleHandlerModel({ project: "shop", root: ROOT, event: "Job", controls });
}

/** Runs `count` events spread over `keys` through one instance; returns the measured maxima. */
async function measure(controls: SubscriptionControls, options: { keys: number; count: number }) {
  const running = new Map<string, number>();
  const maxima = { total: 0, perKey: new Map<string, number>(), inFlight: 0 };
  const work = async (event: { payload: { user: string } }) => {
    const key = event.payload.user;
    const now = (running.get(key) ?? 0) + 1;
    running.set(key, now);
    maxima.inFlight++;
    maxima.total = Math.max(maxima.total, maxima.inFlight);
    maxima.perKey.set(key, Math.max(maxima.perKey.get(key) ?? 0, now));
    // Simulated work: long enough that runs of one key would overlap without the limit.
    await new Promise((resolve) => setTimeout(resolve, 4));
    running.set(key, running.get(key)! - 1);
    maxima.inFlight--;
    return null;
  };
  const model = modelWith(controls);
  const adapter = createMemoryAdapter();
  const bus = new EventBus(adapter, { retry: { maxAttempts: 3, backoffMs: 5 } });
  await bus.start();
  const counter = new DeliveryCounter();
  const telemetry = await createTelemetry(
    parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" }).telemetry,
    { root: ROOT, otel: false },
  );
  const parts: EngineParts = {
    runtime: createInProcessRuntime({
      manifest: { root: `file://${ROOT}/`, modules: { "src/handlers/events/work.ts": { work } } },
    }),
    publisher: { publish: (topic, payload, o) => bus.publish(topic, payload, o) },
    telemetry,
    validators: new Map(),
    config: parseConfig("", { file: "rohas.toml", projectName: "shop" }),
    mode: "dev",
  };
  const subs = await subscribeEvents(model, parts, bus, { counter });
  try {
    counter.expect(groupsOf(model, "Job") * options.count);
    for (let i = 0; i < options.count; i++) {
      await bus.publish("Job", { user: `u${i % options.keys}` }, {
        parentId: null,
        source: "workbench",
      });
    }
    await counter.idle();
  } finally {
    for (const sub of subs) await sub.close();
    await bus.close();
    await parts.runtime.close();
    await telemetry.close();
  }
  assert.equal(counter.settled, options.count, "every event was handled");
  return maxima;
}

Deno.test("concurrency 2 by key never runs more than 2 handlers of one key at once, and keys run alongside", async () => {
  const maxima = await measure({ concurrency: { limit: 2, key: "user" } }, { keys: 3, count: 60 });
  assert.deepEqual([...maxima.perKey.values()], [2, 2, 2], "the measured maximum per key");
  assert.ok(maxima.total > 2, `runs of different keys overlapped (max ${maxima.total})`);
});

Deno.test("concurrency 3 without a key runs at most 3 handlers at once over all events", async () => {
  const maxima = await measure({ concurrency: { limit: 3 } }, { keys: 5, count: 40 });
  assert.equal(maxima.total, 3, "the measured maximum in flight");
});
