import assert from "node:assert/strict";
import type { Adapter, EventEnvelope } from "../../adapters/mod.ts";
import { createMemoryAdapter, ManualClock } from "../../adapters/memory/mod.ts";
import { createRocksdbAdapter } from "../../adapters/rocksdb/mod.ts";
import type { MetricSample } from "../../telemetry/mod.ts";
import { BUS_METRICS, EventBus, type EventBusOptions } from "./event_bus.ts";
import { EventBusClosedError, InvalidEventPayloadError } from "./errors.ts";
import { payloadCheck } from "./payload_check.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class NonRetriableError extends Error {
  override name = "NonRetriableError";
}

Deno.test("EventBus.publish() builds the D9 envelope the subscriber receives", async () => {
  await using bus = await openBus();
  const received = Promise.withResolvers<EventEnvelope>();
  await bus.subscribe("UserCreated", "app.welcome", (envelope) => {
    received.resolve(envelope);
    return Promise.resolve();
  });
  const sent = await bus.publish("UserCreated", { id: 7 }, {
    parentId: "parent-trace",
    source: "api:CreateUser",
    idempotencyKey: "user-7",
  });
  assert.match(sent.id, UUID);
  assert.match(sent.metadata.trace_id, UUID);
  assert.notEqual(sent.metadata.trace_id, sent.id);
  assert.ok(!Number.isNaN(Date.parse(sent.timestamp)) && sent.timestamp.endsWith("Z"));
  assert.deepEqual(sent, {
    id: sent.id,
    topic: "UserCreated",
    payload: { id: 7 },
    timestamp: sent.timestamp,
    metadata: {
      trace_id: sent.metadata.trace_id,
      parent_id: "parent-trace",
      source: "api:CreateUser",
      attempt: 1,
      idempotency_key: "user-7",
    },
  });
  assert.deepEqual(await received.promise, sent);
});

Deno.test("EventBus.publish() carries the cause's traceparent in the envelope, and none when it has none", async () => {
  await using bus = await openBus();
  const received: EventEnvelope[] = [];
  const both = Promise.withResolvers<void>();
  await bus.subscribe("UserCreated", "app.welcome", (envelope) => {
    if (received.push(envelope) === 2) both.resolve();
    return Promise.resolve();
  });
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  await bus.publish("UserCreated", {}, { parentId: "p", source: "api:CreateUser", traceparent });
  await bus.publish("UserCreated", {}, { parentId: "p", source: "api:CreateUser" });
  await both.promise;
  assert.equal(received[0]!.metadata.traceparent, traceparent);
  assert.equal("traceparent" in received[1]!.metadata, false);
});

Deno.test("EventBus retries with doubling, capped delays and then dead-letters the last error", async () => {
  const clock = new ManualClock(0);
  await using bus = await openBus({
    clock,
    retry: { maxAttempts: 4, backoffMs: 100, maxBackoffMs: 250 },
    random: () => 1,
  });
  const attempts: number[] = [];
  await bus.subscribe("Charge", "app.charge", (envelope) => {
    attempts.push(envelope.metadata.attempt);
    return Promise.reject(new Error(`Declined on attempt ${envelope.metadata.attempt}`));
  });
  await bus.publish("Charge", { amount: 5 }, { parentId: null, source: "workbench" });
  const delays: number[] = [];
  for (let retry = 1; retry <= 3; retry++) {
    await until(() => clock.pendingDelays().length === 1);
    const [delay] = clock.pendingDelays();
    delays.push(delay!);
    clock.advance(delay!);
  }
  await until(async () => (await bus.listDeadLetters("Charge")).length === 1);
  assert.deepEqual(delays, [100, 200, 250]);
  assert.deepEqual(attempts, [1, 2, 3, 4]);
  const [letter] = await bus.listDeadLetters("Charge");
  assert.equal(letter?.error, "Declined on attempt 4");
  assert.equal(letter?.group, "app.charge");
  assert.deepEqual(clock.pendingDelays(), []);
});

Deno.test("EventBus jitters a retry delay between half and all of its ceiling", async () => {
  const clock = new ManualClock(0);
  await using bus = await openBus({
    clock,
    retry: { maxAttempts: 2, backoffMs: 1000, maxBackoffMs: 1000 },
    random: () => 0.25,
  });
  await bus.subscribe("Jitter", "app.jitter", () => Promise.reject(new Error("No")));
  await bus.publish("Jitter", {}, { parentId: null, source: "workbench" });
  await until(() => clock.pendingDelays().length === 1);
  assert.deepEqual(clock.pendingDelays(), [625]);
});

Deno.test("EventBus dead-letters a NonRetriableError at once", async () => {
  const clock = new ManualClock(0);
  await using bus = await openBus({ clock });
  let calls = 0;
  await bus.subscribe("Import", "app.import", () => {
    calls++;
    return Promise.reject(new NonRetriableError("Malformed file"));
  });
  await bus.publish("Import", {}, { parentId: null, source: "workbench" });
  await until(async () => (await bus.listDeadLetters("Import")).length === 1);
  const [letter] = await bus.listDeadLetters();
  assert.equal(letter?.error, "Malformed file");
  assert.equal(letter?.envelope.metadata.attempt, 1);
  assert.equal(calls, 1);
  assert.deepEqual(clock.pendingDelays(), []);
});

Deno.test("EventBus replays a dead letter to its group with attempt 1", async () => {
  await using bus = await openBus({ retry: { maxAttempts: 1 } });
  let healthy = false;
  const handled = Promise.withResolvers<EventEnvelope>();
  await bus.subscribe("Mail", "app.mail", (envelope) => {
    if (!healthy) return Promise.reject(new Error("SMTP down"));
    handled.resolve(envelope);
    return Promise.resolve();
  });
  const sent = await bus.publish("Mail", { to: "a@b.c" }, { parentId: null, source: "workbench" });
  await until(async () => (await bus.listDeadLetters("Mail")).length === 1);
  healthy = true;
  assert.equal(await bus.replayDeadLetters("Mail"), 1);
  const replayed = await handled.promise;
  assert.equal(replayed.id, sent.id);
  assert.equal(replayed.metadata.attempt, 1);
  assert.deepEqual(await bus.listDeadLetters("Mail"), []);
});

Deno.test("EventBus delivers publishes sharing an idempotency key once", async () => {
  await using bus = await openBus();
  const seen: unknown[] = [];
  await bus.subscribe("Paid", "app.paid", (envelope) => {
    seen.push(envelope.payload);
    return Promise.resolve();
  });
  const options = { parentId: null, source: "api:Pay", idempotencyKey: "order-1" };
  await bus.publish("Paid", { n: 1 }, options);
  await bus.publish("Paid", { n: 2 }, options);
  await bus.publish("Paid", { n: 3 }, { parentId: null, source: "api:Pay" });
  await until(() => seen.length === 2);
  assert.deepEqual(seen, [{ n: 1 }, { n: 3 }]);
});

Deno.test("EventBus keeps an event nobody handles visible as unhandled", async () => {
  await using bus = await openBus();
  const sent = await bus.publish("Nobody", { x: 1 }, { parentId: null, source: "workbench" });
  const unhandled = await bus.listUnhandled("Nobody");
  assert.deepEqual(unhandled.map((envelope) => envelope.id), [sent.id]);
});

Deno.test("EventBus keeps a slow consumer subscribed and in order while events pile up", async () => {
  await using bus = await openBus({ bufferSize: 4 });
  const release = Promise.withResolvers<void>();
  const seen: number[] = [];
  await bus.subscribe("Tick", "app.tick", async (envelope) => {
    await release.promise;
    seen.push((envelope.payload as { n: number }).n);
  });
  let published = 0;
  const publishing = (async () => {
    for (let n = 0; n < 50; n++) {
      await bus.publish("Tick", { n }, { parentId: null, source: "workbench" });
      published++;
    }
  })();
  await until(() => published === 5);
  assert.deepEqual(seen, [], "the consumer is still busy with the first event");
  release.resolve();
  await publishing;
  await until(() => seen.length === 50);
  assert.deepEqual(seen, Array.from({ length: 50 }, (_, n) => n));
});

Deno.test("EventBus reports published, delivered, retried and dead-lettered counts", async () => {
  const clock = new ManualClock(0);
  const samples: MetricSample[] = [];
  await using bus = await openBus({
    clock,
    retry: { maxAttempts: 2, backoffMs: 10, maxBackoffMs: 10 },
    onMetric: (sample) => samples.push(sample),
  });
  await bus.subscribe(
    "Work",
    "app.work",
    (envelope) =>
      (envelope.payload as { ok: boolean }).ok
        ? Promise.resolve()
        : Promise.reject(new Error("Bad")),
  );
  await bus.publish("Work", { ok: true }, { parentId: null, source: "workbench" });
  await bus.publish("Work", { ok: false }, { parentId: null, source: "workbench" });
  await until(() => clock.pendingDelays().length === 1);
  clock.advance(10);
  await until(() => samples.some((sample) => sample.name === BUS_METRICS.deadLettered));
  const counts = Object.fromEntries(
    Object.values(BUS_METRICS).map((name) => [name, samples.filter((s) => s.name === name).length]),
  );
  assert.deepEqual(counts, {
    [BUS_METRICS.published]: 2,
    [BUS_METRICS.delivered]: 1,
    [BUS_METRICS.retried]: 1,
    [BUS_METRICS.deadLettered]: 1,
  });
  const retried = samples.find((sample) => sample.name === BUS_METRICS.retried);
  assert.deepEqual(retried?.labels, { topic: "Work", group: "app.work" });
  assert.equal(retried?.kind, "counter");
});

Deno.test("EventBus.deadLetter() stores a held event's dead letter for its group and counts it", async () => {
  const samples: MetricSample[] = [];
  await using bus = await openBus({ onMetric: (sample) => samples.push(sample) });
  const replayed = Promise.withResolvers<EventEnvelope>();
  await bus.subscribe("Work", "app.work", (envelope) => {
    replayed.resolve(envelope);
    return Promise.resolve();
  });
  const held: EventEnvelope = {
    id: "e-1",
    topic: "Work",
    payload: { n: 1 },
    timestamp: new Date().toISOString(),
    metadata: { trace_id: "t-1", parent_id: null, source: "workbench", attempt: 5 },
  };
  assert.equal(await bus.deadLetter(held, "app.work", new Error("The CRM is down")), true);
  const [letter] = await bus.listDeadLetters("Work");
  assert.deepEqual([letter?.envelope, letter?.group, letter?.error], [
    held,
    "app.work",
    "The CRM is down",
  ]);
  const counted = samples.filter((sample) => sample.name === BUS_METRICS.deadLettered);
  assert.deepEqual(counted.map((s) => s.labels), [{ topic: "Work", group: "app.work" }]);
  assert.equal(await bus.replayDeadLetters("Work"), 1);
  assert.deepEqual((await replayed.promise).metadata.attempt, 1);
});

Deno.test("EventBus.deadLetter() answers false, storing and counting nothing, over an adapter without deadLetter", async () => {
  const samples: MetricSample[] = [];
  const adapter = createMemoryAdapter();
  // An adapter written before the operation existed.
  const older: Adapter = {
    type: "older",
    guarantees: adapter.guarantees,
    start: () => adapter.start(),
    publish: (envelope) => adapter.publish(envelope),
    subscribe: (topic, group, handler) => adapter.subscribe(topic, group, handler),
    listDeadLetters: (topic) => adapter.listDeadLetters(topic),
    replayDeadLetters: (topic) => adapter.replayDeadLetters(topic),
    close: () => adapter.close(),
  };
  const bus = new EventBus(older, { onMetric: (sample) => samples.push(sample) });
  await bus.start();
  try {
    const held: EventEnvelope = {
      id: "e-1",
      topic: "Work",
      payload: null,
      timestamp: new Date().toISOString(),
      metadata: { trace_id: "t-1", parent_id: null, source: "workbench", attempt: 5 },
    };
    assert.equal(await bus.deadLetter(held, "app.work", new Error("Down")), false);
    assert.deepEqual(await adapter.listDeadLetters(), []);
    assert.deepEqual(samples, []);
  } finally {
    await adapter.close();
  }
});

Deno.test("EventBus.close() waits for an in-flight handler and refuses later publishes", async () => {
  const bus = await openBus();
  const entered = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  let finished = false;
  await bus.subscribe("Slow", "app.slow", async () => {
    entered.resolve();
    await release.promise;
    finished = true;
  });
  await bus.publish("Slow", {}, { parentId: null, source: "workbench" });
  await entered.promise;
  const closing = bus.close();
  release.resolve();
  await closing;
  assert.ok(finished);
  await assert.rejects(
    () => bus.publish("Slow", {}, { parentId: null, source: "workbench" }),
    EventBusClosedError,
  );
});

const jobCheck = payloadCheck({
  events: [{ event: "JobQueued", payloadType: "Job" }],
  validators: new Map([["Job", (value: unknown) => {
    const job = value as { n?: unknown };
    return Number.isInteger(job?.n) ? [] : [{ path: "n", message: "Expected an integer" }];
  }]]),
});

Deno.test("EventBus.publish() refuses a payload that does not match its event's type, before the adapter sees it", async () => {
  await using bus = await openBus({ checkPayloads: jobCheck });
  const seen: unknown[] = [];
  await bus.subscribe("JobQueued", "app.work", (envelope) => {
    seen.push(envelope.payload);
    return Promise.resolve();
  });
  await assert.rejects(
    () => bus.publish("JobQueued", { n: "x" }, { parentId: null, source: "workbench" }),
    (error: Error) => {
      assert.ok(error instanceof InvalidEventPayloadError);
      assert.equal(
        error.message,
        `Cannot publish "JobQueued": its payload does not match Job: n: Expected an integer`,
      );
      assert.deepEqual(error.details, [{ path: "n", message: "Expected an integer" }]);
      return true;
    },
  );
  await bus.publish("JobQueued", { n: 1 }, { parentId: null, source: "workbench" });
  await until(() => seen.length === 1);
  assert.deepEqual(seen, [{ n: 1 }]);
});

Deno.test("EventBus.replayDeadLetters() replays nothing when a selected dead letter's payload no longer matches, naming it", async () => {
  // Dead-lettered before the check existed (an older schema), then replayed under the check.
  await using bus = await openBus({ retry: { maxAttempts: 1 } });
  await bus.subscribe("JobQueued", "app.work", () => Promise.reject(new Error("Down")));
  const good = await bus.publish("JobQueued", { n: 1 }, { parentId: null, source: "test" });
  const bad = await bus.publish("JobQueued", { n: "x" }, { parentId: null, source: "test" });
  await until(async () => (await bus.listDeadLetters("JobQueued")).length === 2);
  bus.checkPayloads(jobCheck);
  await assert.rejects(() => bus.replayDeadLetters("JobQueued"), (error: Error) => {
    assert.ok(error instanceof InvalidEventPayloadError);
    assert.match(error.message, /the payload of 1 dead letter does not match Job, so nothing/);
    assert.deepEqual(error.details, [{
      id: bad.id,
      issues: [{ path: "n", message: "Expected an integer" }],
    }]);
    return true;
  });
  assert.equal((await bus.listDeadLetters("JobQueued")).length, 2);
  assert.equal(await bus.replayDeadLetters("JobQueued", { ids: [good.id] }), 1);
});

interface TestBusOptions extends EventBusOptions {
  clock?: ManualClock;
  bufferSize?: number;
}

/**
 * A bus over a rocksdb adapter in a fresh directory, removed with the bus; `batches` has the topics
 * of each `publishBatch` call the bus made.
 */
async function openRocksdbBus(
  options: EventBusOptions = {},
): Promise<EventBus & AsyncDisposable & { batches: string[] }> {
  const path = await Deno.makeTempDir({ prefix: "rohas-bus-" });
  const published: string[] = [];
  const adapter = createRocksdbAdapter({ path });
  const batch = adapter.publishBatch.bind(adapter);
  const bus = new EventBus(
    Object.assign(adapter, {
      publishBatch: (envelopes: readonly EventEnvelope[]) => {
        published.push(envelopes.map((e) => e.topic).join(","));
        return batch(envelopes);
      },
    }),
    options,
  );
  await bus.start();
  return Object.assign(bus, {
    batches: published,
    [Symbol.asyncDispose]: async () => {
      await bus.close();
      await Deno.remove(path, { recursive: true });
    },
  });
}

async function openBus(options: TestBusOptions = {}): Promise<EventBus & AsyncDisposable> {
  const { clock, bufferSize, ...busOptions } = options;
  const adapter = createMemoryAdapter({
    ...(clock ? { clock } : {}),
    ...(bufferSize ? { bufferSize } : {}),
  });
  const bus = new EventBus(adapter, busOptions);
  await bus.start();
  return Object.assign(bus, { [Symbol.asyncDispose]: () => bus.close() });
}

/** Polls a condition (one macrotask turn apart) until it holds, failing after two seconds. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 2000;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("Condition not met within 2000 ms");
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

Deno.test("EventBus.publishSeries() writes a series in one batch of the adapter's, delivered in order", async () => {
  await using bus = await openRocksdbBus();
  const seen: unknown[] = [];
  const all = Promise.withResolvers<void>();
  await bus.subscribe("JobQueued", "app.work", (envelope) => {
    seen.push(envelope.payload);
    if (seen.length === 5) all.resolve();
    return Promise.resolve();
  });
  const options = { parentId: "t-1", source: "api:Burst" };
  const items = [1, 2, 3, 4, 5].map((n) => ({ topic: "JobQueued", payload: { n }, options }));
  const outcome = await bus.publishSeries!(items);
  assert.equal(outcome.accepted.length, 5);
  assert.equal(outcome.error, undefined);
  assert.deepEqual(bus.batches, [
    Array(5).fill("JobQueued").join(","),
  ]);
  await all.promise;
  assert.deepEqual(seen, [1, 2, 3, 4, 5].map((n) => ({ n })));
});

Deno.test("EventBus.publishSeries() publishes the events before a refused payload and stops there", async () => {
  await using bus = await openRocksdbBus({ checkPayloads: jobCheck });
  const seen: unknown[] = [];
  await bus.subscribe("JobQueued", "app.work", (envelope) => {
    seen.push(envelope.payload);
    return Promise.resolve();
  });
  const options = { parentId: null, source: "api:Burst" };
  const payloads = [{ n: 1 }, { n: 2 }, { n: "three" }, { n: 4 }];
  const outcome = await bus.publishSeries!(
    payloads.map((payload) => ({ topic: "JobQueued", payload, options })),
  );
  assert.equal(outcome.accepted.length, 2);
  assert.ok(outcome.error instanceof InvalidEventPayloadError);
  await until(() => seen.length >= 2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(seen, [{ n: 1 }, { n: 2 }]);
});

Deno.test("EventBus.publishSeries() exists only over an adapter that writes batches", async () => {
  const memory = createMemoryAdapter();
  // The memory adapter without its `publishBatch`, as the broker adapters are.
  const oneByOne: Adapter = {
    type: memory.type,
    guarantees: memory.guarantees,
    start: () => memory.start(),
    publish: (envelope) => memory.publish(envelope),
    subscribe: (topic, group, handler, options) => memory.subscribe(topic, group, handler, options),
    listDeadLetters: (topic) => memory.listDeadLetters(topic),
    replayDeadLetters: (topic, options) => memory.replayDeadLetters(topic, options),
    close: () => memory.close(),
  };
  assert.equal(new EventBus(oneByOne).publishSeries, undefined);
  assert.equal(typeof new EventBus(memory).publishSeries, "function");
  await memory.close();
});

Deno.test("EventBus reads its clock once per publish and twice per series: the envelopes' time and the counts'", async () => {
  let reads = 0;
  const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ++reads));
  const samples: MetricSample[] = [];
  await using bus = await openBus({ now, onMetric: (sample) => samples.push(sample) });
  const stamps: string[] = [];
  await bus.subscribe("Work", "app.work", (envelope) => {
    stamps.push(envelope.timestamp);
    return Promise.resolve();
  });
  const one = await bus.publish("Work", { n: 0 }, { parentId: null, source: "workbench" });
  const options = { parentId: null, source: "api:Burst" };
  const items = [1, 2, 3].map((n) => ({ topic: "Work", payload: { n }, options }));
  assert.equal((await bus.publishSeries!(items)).accepted.length, 3);
  await until(() => samples.filter((s) => s.name === BUS_METRICS.delivered).length === 4);
  // One read for the publish, two for the series, one per delivery's count.
  assert.equal(reads, 1 + 2 + 4);
  const series = stamps.slice(1);
  assert.deepEqual([stamps[0], new Set(series).size], [one.timestamp, 1]);
  const published = samples.filter((s) => s.name === BUS_METRICS.published).map((s) => s.timestamp);
  assert.equal(published[0], one.timestamp);
  assert.equal(new Set(published.slice(1)).size, 1);
  assert.notEqual(published[1], series[0], "the series is counted once the adapter accepted it");
});
