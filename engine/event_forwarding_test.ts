// An event's own `triggers:` forward once per occurrence through their own consumer group, however
// the handlers' deliveries are spread over engine instances; delivery traces take the envelope's
// trace id and parent. Two "instances" (two event buses, two runtimes) share one memory adapter,
// as several engine processes share one broker.
import assert from "node:assert/strict";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { EventBus } from "./events/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";
import type { HandlerRef } from "./runtime/mod.ts";
import type { AppModel } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import { type Closable, DeliveryCounter, groupsOf, subscribeEvents } from "./event_wiring.ts";
import { parseConfig } from "../project/mod.ts";
import { createTelemetry, type RecordingTelemetry } from "../telemetry/mod.ts";

const ROOT = "/rohas-forwarding-test";

function eventRef(name: string, owner: string): HandlerRef {
  return {
    kind: "event",
    name,
    owner,
    language: "typescript",
    file: `${ROOT}/src/handlers/events/${name}.ts`,
    exports: [name],
    profile: "default",
  };
}

const model: AppModel = {
  project: "shop",
  root: ROOT,
  routes: [],
  schedules: [],
  sockets: [],
  events: [
    {
      event: "Paid",
      payloadType: "Json",
      triggers: ["Shipped"],
      subscriptions: [
        { handler: eventRef("bill", "Paid"), group: "shop.bill" },
        { handler: eventRef("notify", "Paid"), group: "shop.notify" },
      ],
    },
    {
      event: "Shipped",
      payloadType: "Json",
      triggers: [],
      subscriptions: [{ handler: eventRef("ship", "Shipped"), group: "shop.ship" }],
    },
    // Triggers and no handler: it must forward all the same.
    { event: "Gifted", payloadType: "Json", triggers: ["Shipped"], subscriptions: [] },
  ],
};

/** Counts handler calls by name and the payloads `ship` saw. */
function handlerModules(calls: Map<string, number>, shipped: unknown[]) {
  const count = (name: string) => () => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return null;
  };
  return {
    "src/handlers/events/bill.ts": { bill: count("bill") },
    "src/handlers/events/notify.ts": { notify: count("notify") },
    "src/handlers/events/ship.ts": {
      ship: (event: { payload: unknown }) => {
        shipped.push(event.payload);
        return count("ship")();
      },
    },
  };
}

/** One engine instance's event side: its own bus and runtime over the shared adapter. */
async function openInstance(
  adapter: ReturnType<typeof createMemoryAdapter>,
  shared: { telemetry: RecordingTelemetry; counter: DeliveryCounter; modules: object },
) {
  const config = parseConfig("", { file: "rohas.toml", projectName: "shop" });
  const bus = new EventBus(adapter, { retry: { maxAttempts: 3, backoffMs: 5 } });
  await bus.start();
  const publisher = {
    publish: (topic: string, payload: unknown, options: Parameters<EventBus["publish"]>[2]) => {
      shared.counter.expect(groupsOf(model, topic));
      return bus.publish(topic, payload, options);
    },
  };
  const parts: EngineParts = {
    runtime: createInProcessRuntime({
      manifest: {
        root: `file://${ROOT}/`,
        modules: shared.modules as Record<string, Record<string, unknown>>,
      },
    }),
    publisher,
    telemetry: shared.telemetry,
    validators: new Map(),
    config,
    mode: "dev",
  };
  const subs = await subscribeEvents(model, parts, bus, { counter: shared.counter });
  return { publisher, subs, runtime: parts.runtime };
}

async function idleWithin(counter: DeliveryCounter, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Deliveries still pending after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([counter.idle(), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function withTwoInstances(
  run: (ctx: {
    a: Awaited<ReturnType<typeof openInstance>>;
    b: Awaited<ReturnType<typeof openInstance>>;
    calls: Map<string, number>;
    shipped: unknown[];
    telemetry: RecordingTelemetry;
    counter: DeliveryCounter;
  }) => Promise<void>,
): Promise<void> {
  const adapter = createMemoryAdapter();
  const telemetry = await createTelemetry(
    parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" }).telemetry,
    { root: ROOT, otel: false },
  );
  const calls = new Map<string, number>();
  const shipped: unknown[] = [];
  const counter = new DeliveryCounter();
  const shared = { telemetry, counter, modules: handlerModules(calls, shipped) };
  const a = await openInstance(adapter, shared);
  const b = await openInstance(adapter, shared);
  try {
    await run({ a, b, calls, shipped, telemetry, counter });
  } finally {
    await Promise.all([...a.subs, ...b.subs].map((s: Closable) => s.close()));
    await Promise.all([a.runtime.close(), b.runtime.close()]);
    await adapter.close();
    await telemetry.close();
  }
}

Deno.test("an event's triggers forward once per occurrence when its handlers ran on different instances", async () => {
  await withTwoInstances(async ({ a, b, calls, shipped, counter }) => {
    // Subscriptions come per event in order: its handlers, then its forwarder. Instance A keeps
    // only `bill` of Paid, instance B only `notify`: no instance sees both handlers finish.
    await a.subs[1]!.close();
    await b.subs[0]!.close();
    for (let n = 0; n < 4; n++) {
      await a.publisher.publish("Paid", { order: n }, { parentId: null, source: "workbench" });
    }
    await idleWithin(counter, 10_000);
    assert.equal(calls.get("bill"), 4);
    assert.equal(calls.get("notify"), 4);
    assert.equal(calls.get("ship"), 4);
    assert.deepEqual(
      shipped.map((p) => (p as { order: number }).order).sort(),
      [0, 1, 2, 3],
    );
  });
});

Deno.test("an event with triggers and no handler forwards its payload once", async () => {
  await withTwoInstances(async ({ b, shipped, counter }) => {
    await b.publisher.publish("Gifted", { gift: "socks" }, { parentId: null, source: "workbench" });
    await idleWithin(counter, 10_000);
    assert.deepEqual(shipped, [{ gift: "socks" }]);
  });
});

Deno.test("a redelivered occurrence forwards with the same idempotency keys", async () => {
  const adapter = createMemoryAdapter();
  const published: string[] = [];
  try {
    const bus = new EventBus(adapter);
    await bus.start();
    const config = parseConfig("", { file: "rohas.toml", projectName: "shop" });
    const telemetry = await createTelemetry(
      parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" }).telemetry,
      { root: ROOT, otel: false },
    );
    const parts: EngineParts = {
      runtime: createInProcessRuntime({ manifest: { root: `file://${ROOT}/`, modules: {} } }),
      publisher: {
        publish: (topic, _payload, options) => {
          published.push(`${topic} ${options.idempotencyKey}`);
          return Promise.resolve(null);
        },
      },
      telemetry,
      validators: new Map(),
      config,
      mode: "dev",
    };
    const forwarderOnly: AppModel = { ...model, events: [model.events[2]!] };
    const subs = await subscribeEvents(forwarderOnly, parts, bus);
    const envelope = {
      id: "occurrence-1",
      topic: "Gifted",
      payload: {},
      timestamp: new Date().toISOString(),
      metadata: { trace_id: "t-1", parent_id: null, source: "workbench", attempt: 1 },
    };
    // The same occurrence delivered twice (a redelivery after a crash before the ack).
    await adapter.publish(envelope);
    await adapter.publish({ ...envelope, metadata: { ...envelope.metadata, attempt: 2 } });
    const deadline = Date.now() + 10_000;
    while (published.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.deepEqual(published, [
      "Shipped occurrence-1:forward:0",
      "Shipped occurrence-1:forward:0",
    ]);
    await Promise.all(subs.map((s) => s.close()));
    await parts.runtime.close();
    await telemetry.close();
  } finally {
    await adapter.close();
  }
});

Deno.test("delivery traces take the envelope's trace id and parent, so a chain is one tree", async () => {
  await withTwoInstances(async ({ a, telemetry, counter }) => {
    const sent = await a.publisher.publish("Paid", { order: 9 }, {
      parentId: "api-trace",
      source: "api:Pay",
    }) as { metadata: { trace_id: string } };
    await idleWithin(counter, 10_000);
    const id = sent.metadata.trace_id;
    const children = await telemetry.traces({ parentId: "api-trace" });
    assert.deepEqual(
      children.map((t) => t.id).sort(),
      [id, `${id}.__triggers`, `${id}.notify`].sort(),
    );
    const first = await telemetry.trace(id);
    assert.equal(first?.metadata?.handler, "bill");
    const shipped = await telemetry.traces({ parentId: `${id}.__triggers` });
    assert.equal(shipped.length, 1);
    assert.equal(shipped[0]?.entry_point, "Shipped");
    assert.equal(shipped[0]?.metadata?.handler, "ship");
  });
});

Deno.test("a delivery's trace and its handler's step start at one clock read", async () => {
  // A clock that moves on every read: two reads could never give one time.
  const realNow = Date.now;
  let clock = Date.UTC(2026, 0, 1);
  Date.now = () => (clock += 7);
  try {
    await withTwoInstances(async ({ a, telemetry, counter }) => {
      const sent = await a.publisher.publish("Paid", { order: 1 }, {
        parentId: null,
        source: "workbench",
      }) as { metadata: { trace_id: string } };
      await idleWithin(counter, 10_000);
      const trace = await telemetry.trace(sent.metadata.trace_id);
      assert.equal(trace?.metadata?.handler, "bill");
      assert.equal(trace?.steps[0]?.timestamp, trace?.started_at);
    });
  } finally {
    Date.now = realNow;
  }
});
