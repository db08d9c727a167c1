import assert from "node:assert/strict";
import { createMemoryKvBackend, kvOver, openDenoKvBackend, type OwnedKv } from "../../state/mod.ts";
import type { MetricSample } from "../../telemetry/mod.ts";
import type { PublishOptions } from "../parts.ts";
import { createMemoryAdapter, type EventEnvelope, PUBLISH_GROUP } from "../../adapters/mod.ts";
import { EventBus, InvalidEventPayloadError } from "../events/mod.ts";
import {
  DELAYED_METRICS,
  DelayedEvents,
  type DelayedEventsOptions,
  listDelayedEvents,
} from "./mod.ts";

interface Published {
  topic: string;
  payload: unknown;
  options: PublishOptions;
  at: number;
}

/** Delayed events over `kv` whose publishes and metrics are recorded. */
function recorded(kv: OwnedKv, instanceId = "a") {
  const published: Published[] = [];
  const metrics: MetricSample[] = [];
  let waiter = Promise.withResolvers<Published>();
  const delayed = new DelayedEvents({
    kv,
    instanceId,
    publish: (topic, payload, options) => {
      const record = { topic, payload, options, at: Date.now() };
      published.push(record);
      waiter.resolve(record);
      waiter = Promise.withResolvers<Published>();
      return Promise.resolve();
    },
    telemetry: { metric: (s) => metrics.push(s), log: () => {} },
    gaugeMs: 20,
  });
  return { delayed, published, metrics, next: () => waiter.promise };
}

/** Resolves once `condition` holds, looking every 10 ms (a gauge has no event to await). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const cause: PublishOptions = { parentId: "t-1", source: "api:Remind", idempotencyKey: "t-1:0" };

Deno.test("a delayed event is published at its time with its cause, and counted", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const { delayed, metrics, next } = recorded(kv);
  delayed.start();
  try {
    const at = Date.now() + 200;
    const arrived = next();
    assert.equal(await delayed.schedule("Reminder", { id: 1 }, cause, { at }), true);
    const [waiting] = await delayed.list();
    assert.deepEqual(
      {
        event: waiting?.event,
        handler: waiting?.handler,
        key: waiting?.key,
        dueAt: waiting?.dueAt,
      },
      { event: "Reminder", handler: "all", key: null, dueAt: new Date(at).toISOString() },
    );
    const published = await arrived;
    assert.ok(published.at >= at && published.at - at < 250, `${published.at - at} ms late`);
    assert.deepEqual([published.topic, published.payload, published.options], [
      "Reminder",
      { id: 1 },
      cause,
    ]);
    await delayed.stop();
    assert.deepEqual(await delayed.list(), [], "fired and deleted");
    const outcomes = metrics.filter((m) => m.name === DELAYED_METRICS.total)
      .map((m) => m.labels.outcome);
    assert.deepEqual(outcomes, ["scheduled", "delivered"]);
  } finally {
    await delayed.stop();
    await kv.close();
  }
});

Deno.test("a key names a delayed event: a second with the same key is ignored, cancel removes it", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const { delayed, published, metrics } = recorded(kv);
  try {
    const at = Date.now() + 60_000;
    assert.equal(await delayed.schedule("Reminder", 1, cause, { at, key: "order-7" }), true);
    assert.equal(
      await delayed.schedule("Reminder", 2, cause, { at: at + 1, key: "order-7" }),
      false,
      "the first is kept",
    );
    assert.equal(await delayed.schedule("Other", 3, cause, { at, key: "order-7" }), true);
    const listed = await delayed.list({ event: "Reminder" });
    assert.deepEqual(listed.map((d) => [d.event, d.key]), [["Reminder", "order-7"]]);
    assert.equal(await delayed.cancel("Reminder", "order-7"), true);
    assert.equal(await delayed.cancel("Reminder", "order-7"), false);
    assert.deepEqual((await delayed.list()).map((d) => d.event), ["Other"]);
    assert.deepEqual(published, []);
    const cancelled = metrics.filter((m) => m.labels.outcome === "cancelled");
    assert.equal(cancelled.length, 1);
  } finally {
    await kv.close();
  }
});

Deno.test("a delayed event waiting in a Deno KV file is published by the next process to open it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas-delayed-" });
  const path = `${dir}/state.kv`;
  try {
    const first = kvOver(await openDenoKvBackend({ path }));
    const before = recorded(first);
    const at = Date.now() + 300;
    await before.delayed.schedule("Reminder", { id: 9 }, cause, { at, key: "k" });
    // Never started: this instance stops before the event is due.
    await first.close();
    const second = kvOver(await openDenoKvBackend({ path }));
    const after = recorded(second, "b");
    after.delayed.start();
    try {
      const published = await after.next();
      assert.deepEqual([published.topic, published.payload], ["Reminder", { id: 9 }]);
      assert.ok(published.at >= at);
      await after.delayed.stop();
      assert.deepEqual(await listDelayedEvents(second), []);
    } finally {
      await after.delayed.stop();
      await second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the waiting gauge counts delayed events per event and falls back to 0", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const { delayed, metrics, next } = recorded(kv);
  try {
    await delayed.schedule("Reminder", 1, cause, { at: Date.now() + 300 });
    delayed.start();
    const published = next();
    const gauge = () =>
      metrics.filter((m) => m.name === DELAYED_METRICS.waiting && m.labels.event === "Reminder")
        .map((m) => m.value);
    await until(() => gauge().length > 0);
    assert.equal(gauge()[0], 1);
    await published;
    await until(() => gauge().at(-1) === 0);
  } finally {
    await delayed.stop();
    await kv.close();
  }
});

/** Delayed events with a held delivery for `shop.ship` whose runner always fails. */
function failingHold(deadLetter?: DelayedEventsOptions["deadLetter"]) {
  const kv = kvOver(createMemoryKvBackend());
  const logs: string[] = [];
  const metrics: MetricSample[] = [];
  const given = Promise.withResolvers<void>();
  const delayed = new DelayedEvents({
    kv,
    instanceId: "a",
    publish: () => Promise.resolve(),
    telemetry: {
      metric: (sample) => metrics.push(sample),
      log: (entry) => {
        logs.push(`${entry.level} ${entry.message}`);
        if (entry.level === "error") given.resolve();
      },
    },
    maxAttempts: 2,
    retryMs: 20,
    deadLetter,
  });
  const attempts: number[] = [];
  delayed.register("shop.ship", (envelope) => {
    attempts.push(envelope.metadata.attempt);
    return Promise.reject(new Error("carrier down"));
  });
  const envelope = {
    id: "e-1",
    topic: "Paid",
    payload: { id: 1 },
    timestamp: new Date().toISOString(),
    metadata: { trace_id: "t", parent_id: null, source: "test", attempt: 1 },
  };
  const target = { event: "Paid", handler: "ship", group: "shop.ship" };
  const outcomes = () => outcomesOf(metrics);
  return {
    delayed,
    logs,
    attempts,
    outcomes,
    given: given.promise,
    hold: () => delayed.hold(target, envelope, Date.now() + 50),
    async [Symbol.asyncDispose]() {
      await delayed.stop();
      await kv.close();
    },
  };
}

Deno.test("a held delivery runs through its group's runner when due, retried on failure, then dead-lettered for its group", async () => {
  const letters: { id: string; group: string; attempt: number; error: string }[] = [];
  await using held = failingHold((envelope, group, error) => {
    const { id, metadata: { attempt } } = envelope;
    letters.push({ id, group, attempt, error: String(error) });
    return Promise.resolve(true);
  });
  held.delayed.start();
  await held.hold();
  await held.hold(); // a redelivery: held once
  assert.deepEqual(
    (await held.delayed.list()).map((d) => [d.event, d.handler]),
    [["Paid", "ship"]],
  );
  await held.given;
  await held.delayed.stop();
  assert.deepEqual(held.attempts, [1, 2], "the attempt counts the firings");
  assert.deepEqual(letters, [
    { id: "e-1", group: "shop.ship", attempt: 2, error: "Error: carrier down" },
  ]);
  assert.ok(
    held.logs.some((line) => line.startsWith('warn Delayed "Paid" failed (attempt 1)')),
    held.logs.join(),
  );
  assert.ok(
    held.logs.includes(
      'error Delayed event "Paid" dead-lettered for "ship" after 2 attempts: carrier down',
    ),
    held.logs.join("\n"),
  );
  assert.deepEqual(held.outcomes(), ["scheduled", "dead_lettered"]);
  assert.deepEqual(await held.delayed.list(), [], "no longer waiting");
});

Deno.test("a held delivery whose dead letter cannot be stored now fires again, runs once more, then is stored", async () => {
  let refusals = 1;
  const stored: number[] = [];
  await using held = failingHold((envelope) => {
    if (refusals-- > 0) return Promise.reject(new Error("The broker is down"));
    stored.push(envelope.metadata.attempt);
    return Promise.resolve(true);
  });
  held.delayed.start();
  await held.hold();
  await held.given;
  await held.delayed.stop(); // the firing under way finishes
  assert.deepEqual(held.attempts, [1, 2, 3], "one more run after the refused dead letter");
  assert.deepEqual(stored, [3], "stored with the runs it had");
  assert.deepEqual(held.outcomes(), ["scheduled", "dead_lettered"]);
});

Deno.test("a held delivery that fails for good on an adapter that cannot dead-letter is logged as dropped", async () => {
  await using held = failingHold(() => Promise.resolve(false));
  held.delayed.start();
  await held.hold();
  await held.given;
  await held.delayed.stop();
  assert.ok(
    held.logs.includes(
      'error Delayed event "Paid" dropped (the adapter cannot dead-letter it) for "ship" after ' +
        "2 attempts: carrier down",
    ),
    held.logs.join("\n"),
  );
  assert.deepEqual(held.outcomes(), ["scheduled", "dropped"]);
});

/**
 * Delayed events publishing through a real event bus (memory adapter) whose schema refuses
 * `Reminder` until `accept` is set, as a deploy or a hot reload changes it; two handlers' groups
 * record what reaches them.
 */
async function refusingBus(options: { canDeadLetter?: boolean } = {}) {
  const kv = kvOver(createMemoryKvBackend());
  const schema = { accepts: false };
  const bus = new EventBus(createMemoryAdapter(), {
    checkPayloads: (topic) =>
      topic !== "Reminder" || schema.accepts ? null : {
        payloadType: "ReminderV2",
        issues: [{ path: "$.when", message: "is required" }],
      },
  });
  await bus.start();
  const reached: Record<string, EventEnvelope[]> = { "app.remind": [], "app.audit": [] };
  const arrivals = Promise.withResolvers<void>();
  for (const group of Object.keys(reached)) {
    await bus.subscribe("Reminder", group, (envelope) => {
      reached[group]!.push(envelope);
      if (Object.values(reached).every((each) => each.length > 0)) arrivals.resolve();
      return Promise.resolve();
    });
  }
  const logs: string[] = [];
  const metrics: MetricSample[] = [];
  const given = Promise.withResolvers<void>();
  const delayed = new DelayedEvents({
    kv,
    instanceId: "a",
    publish: (topic, payload, options) => bus.publish(topic, payload, options),
    telemetry: {
      metric: (sample) => metrics.push(sample),
      log: (entry) => {
        logs.push(`${entry.level} ${entry.message}`);
        if (entry.level === "error") given.resolve();
      },
    },
    deadLetter: options.canDeadLetter === false
      ? () => Promise.resolve(false)
      : (envelope, group, error) => bus.deadLetter(envelope, group, error),
  });
  const outcomes = () => outcomesOf(metrics);
  return {
    bus,
    delayed,
    schema,
    reached,
    arrivals: arrivals.promise,
    logs,
    outcomes,
    given: given.promise,
    async [Symbol.asyncDispose]() {
      await delayed.stop();
      await bus.close();
      await kv.close();
    },
  };
}

Deno.test("a delayed publish the schema refuses when due is dead-lettered, and its replay publishes it to every handler once the schema accepts it", async () => {
  await using rig = await refusingBus();
  const traced = {
    ...cause,
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  };
  rig.schema.accepts = true;
  await rig.delayed.schedule("Reminder", { id: 1 }, traced, { at: Date.now() + 30 });
  rig.schema.accepts = false; // the schema changed before it came due
  rig.delayed.start();
  await rig.given;
  await rig.delayed.stop();
  assert.deepEqual(rig.outcomes(), ["scheduled", "dead_lettered"]);
  const [letter, ...others] = await rig.bus.listDeadLetters("Reminder");
  assert.deepEqual(others, []);
  assert.equal(letter?.group, PUBLISH_GROUP);
  assert.match(letter?.error ?? "", /ReminderV2/);
  assert.deepEqual(letter?.envelope.payload, { id: 1 });
  const { parent_id, source, idempotency_key, traceparent } = letter!.envelope.metadata;
  assert.deepEqual(
    { parent_id, source, idempotency_key, traceparent },
    {
      parent_id: "t-1",
      source: "api:Remind",
      idempotency_key: "t-1:0",
      traceparent: traced.traceparent,
    },
  );
  assert.ok(
    rig.logs.some((line) =>
      line.startsWith('error Delayed event "Reminder" dead-lettered for "all"')
    ),
    rig.logs.join("\n"),
  );
  await assert.rejects(rig.bus.replayDeadLetters("Reminder"), InvalidEventPayloadError);
  assert.equal((await rig.bus.listDeadLetters("Reminder")).length, 1, "kept while still refused");
  rig.schema.accepts = true;
  assert.equal(await rig.bus.replayDeadLetters("Reminder"), 1);
  await rig.arrivals;
  for (const [group, envelopes] of Object.entries(rig.reached)) {
    assert.deepEqual(
      envelopes.map((e) => [e.payload, e.metadata.parent_id]),
      [[{ id: 1 }, "t-1"]],
      group,
    );
  }
  assert.deepEqual(await rig.bus.listDeadLetters("Reminder"), []);
});

Deno.test("a delayed publish the schema refuses when due, on an adapter that cannot dead-letter, is logged as dropped", async () => {
  await using rig = await refusingBus({ canDeadLetter: false });
  await rig.delayed.schedule("Reminder", { id: 1 }, cause, { at: Date.now() + 30 });
  rig.delayed.start();
  await rig.given;
  await rig.delayed.stop();
  assert.deepEqual(rig.outcomes(), ["scheduled", "dropped"]);
  assert.ok(
    rig.logs.some((line) =>
      line.startsWith('error Delayed event "Reminder" dropped (the adapter cannot dead-letter it)')
    ),
    rig.logs.join("\n"),
  );
  assert.deepEqual(await rig.bus.listDeadLetters("Reminder"), []);
});

/** The `outcome` label of each delayed-events total counted, in order. */
function outcomesOf(metrics: MetricSample[]): (string | undefined)[] {
  return metrics.filter((m) => m.name === DELAYED_METRICS.total).map((m) => m.labels.outcome);
}
