import assert from "node:assert/strict";
import type { EventEnvelope } from "../adapter.ts";
import { adapterConformance } from "../conformance.ts";
import { AdapterClosedError, DeliverySettledError, UnknownAdapterError } from "../errors.ts";
import { ADAPTER_TYPES, createAdapter, PUBLISH_GROUP } from "../mod.ts";
import { createMemoryAdapter, ManualClock } from "./mod.ts";
import type { MemoryAdapter, MemoryAdapterOptions } from "./mod.ts";

Deno.test("the memory adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () => Promise.resolve(createMemoryAdapter()),
    singleProcess: true,
  }));

Deno.test("memory adapter keeps events of a topic nobody subscribed to as unhandled", async () => {
  await using adapter = open({ unhandledLimit: 2 });
  for (const n of [1, 2, 3]) await adapter.publish(envelope("Orphan", { n }));
  await adapter.publish(envelope("Other", { n: 4 }));
  const orphans = await adapter.listUnhandled("Orphan");
  assert.deepEqual(orphans.map((event) => event.payload), [{ n: 3 }]);
  assert.equal((await adapter.listUnhandled()).length, 2);
});

Deno.test("memory adapter forgets a transient group and its queue once its subscriber closed", async () => {
  await using adapter = open();
  const ack = (delivery: { ack(): Promise<void> }) => delivery.ack();
  const lasting = await adapter.subscribe("Kept", "app.kept", ack);
  const transient = await adapter.subscribe("Gone", "app.__sockets.a", ack, { transient: true });
  await lasting.close();
  await transient.close();
  await adapter.publish(envelope("Kept", { n: 1 }));
  await adapter.publish(envelope("Gone", { n: 2 }));
  // The lasting group queues its event for a later subscriber; the transient group is no more.
  assert.deepEqual(await adapter.listUnhandled("Kept"), []);
  assert.deepEqual((await adapter.listUnhandled("Gone")).map((event) => event.payload), [{ n: 2 }]);
});

Deno.test("memory adapter redelivers a retry only when its delay has passed on the clock", async () => {
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  await using adapter = open({ clock });
  const attempts: number[] = [];
  const redelivered = Promise.withResolvers<void>();
  await adapter.subscribe("Job", "app.job", async (delivery) => {
    attempts.push(delivery.envelope.metadata.attempt);
    if (attempts.length === 1) await delivery.retry(5000, "Later");
    else {
      await delivery.ack();
      redelivered.resolve();
    }
  });
  await adapter.publish(envelope("Job", {}));
  await until(() => clock.pendingDelays().length === 1);
  assert.deepEqual(clock.pendingDelays(), [5000]);
  clock.advance(4999);
  await settle();
  assert.deepEqual(attempts, [1]);
  clock.advance(1);
  await redelivered.promise;
  assert.deepEqual(attempts, [1, 2]);
});

Deno.test("memory adapter stamps a dead letter with the clock's time", async () => {
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  await using adapter = open({ clock });
  await adapter.subscribe("Job", "app.job", (delivery) => delivery.deadLetter("Boom"));
  await adapter.publish(envelope("Job", {}));
  await until(async () => (await adapter.listDeadLetters("Job")).length === 1);
  const [letter] = await adapter.listDeadLetters("Job");
  assert.equal(letter?.failed_at, "2026-01-01T00:00:00.000Z");
});

Deno.test("memory adapter delivers a reused idempotency key again once its window passed", async () => {
  const clock = new ManualClock(0);
  await using adapter = open({ clock, idempotencyWindowMs: 1000 });
  const seen: unknown[] = [];
  await adapter.subscribe("Pay", "app.pay", async (delivery) => {
    seen.push(delivery.envelope.payload);
    await delivery.ack();
  });
  await adapter.publish(envelope("Pay", { n: 1 }, "k"));
  await adapter.publish(envelope("Pay", { n: 2 }, "k"));
  clock.advance(1000);
  await adapter.publish(envelope("Pay", { n: 3 }, "k"));
  await until(() => seen.length === 2);
  assert.deepEqual(seen, [{ n: 1 }, { n: 3 }]);
});

Deno.test("memory adapter makes publishers wait for a slow consumer instead of dropping it", async () => {
  await using adapter = open({ bufferSize: 2 });
  const { release, seen } = await slowConsumer(adapter);
  let published = 0;
  const publishing = (async () => {
    for (let n = 0; n < 6; n++) {
      await adapter.publish(envelope("Slow", { n }));
      published++;
    }
  })();
  await until(() => published === 3);
  await settle();
  assert.equal(published, 3, "one in flight and two queued, the fourth publish waits");
  release.resolve();
  await publishing;
  await until(() => seen.length === 6);
  await adapter.publish(envelope("Slow", { n: 6 }));
  await until(() => seen.length === 7);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
});

Deno.test("memory adapter publishes a batch once its group has room for all of it", async () => {
  await using adapter = open({ bufferSize: 3 });
  const { release, seen } = await slowConsumer(adapter);
  await adapter.publishBatch!([0, 1, 2].map((n) => envelope("Slow", { n })));
  // Event 0 is in flight and 1, 2 are queued: a batch of two does not fit under 3.
  let done = false;
  const waiting = adapter.publishBatch!([3, 4].map((n) => envelope("Slow", { n }))).then(() =>
    done = true
  );
  await settle();
  assert.equal(done, false, "the batch waits for room for both of its events");
  release.resolve();
  await waiting;
  // A batch larger than the buffer goes once the queue is empty.
  await adapter.publishBatch!([5, 6, 7, 8, 9].map((n) => envelope("Slow", { n })));
  await until(() => seen.length === 10);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("memory adapter accepts none of a batch when it closes while the batch waits", async () => {
  await using adapter = open({ bufferSize: 1 });
  const { release } = await fillStuck(adapter);
  // Waiting for room from the call on: the group's one place is taken.
  const waiting = adapter.publishBatch!([envelope("Stuck", { n: 2 }), envelope("Other", { n: 3 })]);
  const closing = adapter.close();
  await assert.rejects(waiting, AdapterClosedError);
  release.resolve();
  await closing;
  assert.deepEqual(await adapter.listUnhandled(), [], "nothing of the batch was kept");
});

Deno.test("memory adapter shares a group between two subscribers in one process", async () => {
  await using adapter = open();
  const bySubscriber = [0, 0];
  for (const index of [0, 1]) {
    await adapter.subscribe("Work", "app.work", async (delivery) => {
      bySubscriber[index]!++;
      await delivery.ack();
    });
  }
  for (let n = 0; n < 10; n++) await adapter.publish(envelope("Work", { n }));
  await until(() => bySubscriber[0]! + bySubscriber[1]! === 10);
  assert.ok(bySubscriber[0]! > 0 && bySubscriber[1]! > 0, `split ${bySubscriber}`);
});

Deno.test("memory adapter refuses to settle a delivery twice", async () => {
  await using adapter = open();
  const outcome = Promise.withResolvers<unknown>();
  await adapter.subscribe("Twice", "app.twice", async (delivery) => {
    await delivery.ack();
    await delivery.ack().then(() => outcome.resolve(null), outcome.resolve);
  });
  await adapter.publish(envelope("Twice", {}));
  assert.ok(await outcome.promise instanceof DeliverySettledError);
});

Deno.test("memory adapter rejects publish after close with AdapterClosedError", async () => {
  const adapter = open();
  await adapter.close();
  await assert.rejects(() => adapter.publish(envelope("Late", {})), AdapterClosedError);
});

Deno.test("createAdapter() builds the memory adapter and names the accepted types otherwise", async () => {
  const section = {
    type: "memory",
    buffer_size: 10,
    max_attempts: 5,
    backoff_ms: 500,
    max_backoff_ms: 60000,
    settings: {},
  };
  const adapter = await createAdapter(section);
  assert.equal(adapter.type, "memory");
  await adapter.close();
  await assert.rejects(() => createAdapter({ ...section, type: "redis" }), (error: Error) => {
    assert.ok(error instanceof UnknownAdapterError);
    const accepted = ADAPTER_TYPES.map((type) => `"${type}"`).join(", ");
    assert.ok(ADAPTER_TYPES.includes("memory"));
    assert.equal(
      error.message,
      `Unknown adapter type "redis" in [adapter] type: expected one of ${accepted}`,
    );
    return true;
  });
});

Deno.test("memory adapter drain() waits for queued events and their retries, then counts what is still held", async () => {
  await using adapter = open();
  const handled: number[] = [];
  let failedOnce = false;
  await adapter.subscribe("Job", "app.work", async (delivery) => {
    const n = (delivery.envelope.payload as { n: number }).n;
    if (n === 2 && !failedOnce) {
      failedOnce = true;
      return await delivery.retry(5, "Once more");
    }
    handled.push(n);
    await delivery.ack();
  });
  for (const n of [1, 2, 3]) await adapter.publish(envelope("Job", { n }));
  assert.equal(await adapter.drain(5_000), 0);
  assert.deepEqual(handled.sort(), [1, 2, 3]);
  // A group nobody consumes is not waited for, but what it holds is counted.
  await adapter.publish(envelope("Other", { n: 4 }));
  const idle = await adapter.subscribe("Late", "app.late", () => new Promise(() => {}));
  await idle.close();
  await adapter.publish(envelope("Late", { n: 5 }));
  assert.equal(await adapter.drain(5_000), 1);
});

function open(options: MemoryAdapterOptions = {}): MemoryAdapter & AsyncDisposable {
  const adapter = createMemoryAdapter(options);
  return Object.assign(adapter, { [Symbol.asyncDispose]: () => adapter.close() });
}

function envelope(topic: string, payload: unknown, key?: string): EventEnvelope {
  return {
    id: crypto.randomUUID(),
    topic,
    payload,
    timestamp: new Date(0).toISOString(),
    metadata: {
      trace_id: crypto.randomUUID(),
      parent_id: null,
      source: "workbench",
      attempt: 1,
      ...(key === undefined ? {} : { idempotency_key: key }),
    },
  };
}

/** Lets queued microtasks and one macrotask turn run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Polls a condition until it holds, failing after two seconds. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 2000;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("Condition not met within 2000 ms");
    await settle();
  }
}

Deno.test("memory adapter never blocks publishers on a full group nobody consumes", async () => {
  await using adapter = open({ bufferSize: 2 });
  const first = await adapter.subscribe("Gone", "app.gone", (delivery) => delivery.ack());
  await first.close();
  for (let n = 0; n < 5; n++) await adapter.publish(envelope("Gone", { n }));
  const unhandled = await adapter.listUnhandled("Gone");
  assert.deepEqual(unhandled.map((event) => event.payload), [{ n: 2 }, { n: 3 }, { n: 4 }]);
  const seen: unknown[] = [];
  await adapter.subscribe("Gone", "app.gone", async (delivery) => {
    seen.push(delivery.envelope.payload);
    await delivery.ack();
  });
  await until(() => seen.length === 2);
  assert.deepEqual(seen, [{ n: 0 }, { n: 1 }]);
});

Deno.test("memory adapter releases a waiting publisher when the last subscriber leaves", async () => {
  await using adapter = open({ bufferSize: 1 });
  const { subscription, release } = await fillStuck(adapter);
  let done = false;
  const waiting = adapter.publish(envelope("Stuck", { n: 2 })).then(() => done = true);
  await settle();
  assert.equal(done, false, "the third publish waits for room");
  const closing = subscription.close();
  await waiting;
  release.resolve();
  await closing;
  assert.deepEqual((await adapter.listUnhandled("Stuck")).map((event) => event.payload), [{
    n: 2,
  }]);
});

Deno.test("memory adapter keeps the dead letters a failed replay did not reach", async () => {
  await using adapter = open({ bufferSize: 1 });
  // Held until the end: the group's room stays taken while the replay runs.
  const { release } = await fillStuck(adapter);
  for (const n of [2, 3, 4]) {
    await adapter.deadLetter!(envelope("Stuck", { n }), PUBLISH_GROUP, "refused when due");
  }
  // The first replayed publish waits for room; closing the adapter fails it.
  const replaying = adapter.replayDeadLetters("Stuck");
  await settle();
  const closing = adapter.close();
  await assert.rejects(replaying, AdapterClosedError);
  const kept = await adapter.listDeadLetters("Stuck");
  assert.deepEqual(kept.map((letter) => letter.envelope.payload).sort(byN), [{ n: 2 }, { n: 3 }, {
    n: 4,
  }]);
  release.resolve();
  await closing;
});

/**
 * Subscribes group `app.slow` of topic `Slow` with a handler that holds every delivery until
 * `release`, then records its payload's `n` in `seen` and acknowledges it.
 */
async function slowConsumer(adapter: MemoryAdapter) {
  const release = Promise.withResolvers<void>();
  const seen: number[] = [];
  await adapter.subscribe("Slow", "app.slow", async (delivery) => {
    await release.promise;
    seen.push((delivery.envelope.payload as { n: number }).n);
    await delivery.ack();
  });
  return { release, seen };
}

/**
 * Fills group `app.stuck` of topic `Stuck` (an adapter of `bufferSize` 1): its handler holds event 0
 * until `release`, and event 1 takes the group's one place, so a further publish waits for room.
 */
async function fillStuck(adapter: MemoryAdapter) {
  const release = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  const subscription = await adapter.subscribe("Stuck", "app.stuck", async (delivery) => {
    entered.resolve();
    await release.promise;
    await delivery.ack();
  });
  await adapter.publish(envelope("Stuck", { n: 0 }));
  await entered.promise;
  await adapter.publish(envelope("Stuck", { n: 1 }));
  return { subscription, release };
}

function byN(a: unknown, b: unknown): number {
  return (a as { n: number }).n - (b as { n: number }).n;
}

Deno.test("memory adapter remembers at most idempotency_max_keys keys a topic, forgetting the oldest first", async () => {
  const clock = new ManualClock(0);
  await using adapter = open({ clock, idempotencyMaxKeys: 2 });
  const seen: unknown[] = [];
  await adapter.subscribe("Pay", "app.pay", async (delivery) => {
    seen.push(delivery.envelope.payload);
    await delivery.ack();
  });
  for (const key of ["a", "b", "c"]) await adapter.publish(envelope("Pay", { key }, key));
  // "a" was forgotten to make room for "c"; "b" and "c" are still remembered within the window.
  for (const key of ["b", "c", "a"]) {
    await adapter.publish(envelope("Pay", { key, again: true }, key));
  }
  await until(() => seen.length === 4);
  assert.deepEqual(seen, [{ key: "a" }, { key: "b" }, { key: "c" }, { key: "a", again: true }]);
});

Deno.test("memory adapter refuses an idempotency_max_keys that is not a positive number", () => {
  assert.throws(
    () => open({ idempotencyMaxKeys: 0 }),
    /idempotencyMaxKeys: "0" is not a positive number/,
  );
});
