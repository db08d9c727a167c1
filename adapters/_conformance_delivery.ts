/**
 * The conformance cases of delivery itself: round trip, fan-out, competing consumers, order (also
 * at any concurrency), a batch publish, concurrency, redelivery of unsettled deliveries and retries
 * (adapters/conformance.ts runs them).
 *
 * @module
 */

import {
  assert,
  assertEquals,
  Gate,
  ids,
  Inbox,
  nextMacrotask,
  type Suite,
} from "./_conformance_suite.ts";

export async function roundTrip(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const sent = suite.envelope({
    text: "héllo ✓",
    n: 42.5,
    nested: { list: [1, "two", null, true], empty: {} },
  }, { idempotency_key: `rt-${crypto.randomUUID()}`, parent_id: crypto.randomUUID() });
  await adapter.publish(sent);
  const [received] = await inbox.waitFor(1, "the published envelope");
  assertEquals(received?.envelope, sent, "the delivered envelope");
}

export async function fanOut(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const groups = ["conformance.g1", "conformance.g2", "conformance.g3"];
  const inboxes = groups.map(() => new Inbox(suite));
  for (const [i, group] of groups.entries()) {
    await adapter.subscribe(suite.topic, group, (inboxes[i] as Inbox).acking());
  }
  const sent = await suite.publishMany(adapter, 5);
  for (const [i, inbox] of inboxes.entries()) {
    const received = await inbox.waitFor(5, `five events in group ${groups[i]}`);
    assertEquals(ids(received).sort(), ids(sent).sort(), `the events of group ${groups[i]}`);
  }
}

export async function competingConsumers(suite: Suite): Promise<void> {
  await using first = await suite.open();
  await using second = await suite.open();
  const inbox = new Inbox(suite);
  await first.subscribe(suite.topic, "conformance.shared", inbox.acking());
  await second.subscribe(suite.topic, "conformance.shared", inbox.acking());
  const sent = await suite.publishMany(first, 20);
  await inbox.waitFor(20, "twenty events across both instances");
  await first.close();
  await second.close();
  assertEquals(ids(inbox.items).sort(), ids(sent).sort(), "each event handled exactly once");
}

export async function ordering(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking(), { concurrency: 1 });
  const sent = await suite.publishMany(adapter, 20);
  const received = await inbox.waitFor(20, "twenty events");
  assertEquals(ids(received), ids(sent), "the delivery order");
}

/**
 * `publishBatch`: a batch reaches every group as the same publishes one by one would, in its order
 * where the adapter keeps order, a claimed idempotency key skipped (claimed before the batch, or
 * earlier in it) where the adapter deduplicates.
 */
export async function batch(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const { orderedPerTopic, deduplicates } = adapter.guarantees;
  const groups = ["conformance.g1", "conformance.g2"];
  const inboxes = groups.map(() => new Inbox(suite));
  for (const [i, group] of groups.entries()) {
    await adapter.subscribe(suite.topic, group, inboxes[i]!.acking(), { concurrency: 1 });
  }
  const before = `key-${crypto.randomUUID()}`;
  const within = `key-${crypto.randomUUID()}`;
  const first = suite.envelope({ n: 0 }, { idempotency_key: before });
  await adapter.publish(first);
  const sent = [
    suite.envelope({ n: 1 }),
    suite.envelope({ n: 2 }, { idempotency_key: before }),
    suite.envelope({ n: 3 }, { idempotency_key: within }),
    suite.envelope({ n: 4 }, { idempotency_key: within }),
    ...Array.from({ length: 16 }, (_, i) => suite.envelope({ n: 5 + i })),
  ];
  await adapter.publishBatch!(sent);
  const expected = deduplicates ? [first, sent[0]!, sent[2]!, ...sent.slice(4)] : [first, ...sent];
  for (const [i, inbox] of inboxes.entries()) {
    const received = await inbox.waitFor(expected.length, `the batch in group ${groups[i]}`);
    const order = (list: string[]) => orderedPerTopic ? list : list.sort();
    assertEquals(order(ids(received)), order(ids(expected)), `the events of group ${groups[i]}`);
  }
  // Nothing more comes: a skipped duplicate would arrive within the same turns as the rest.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const inbox of inboxes) assertEquals(inbox.items.length, expected.length, "deliveries");
}

/**
 * `handsOutInOrder`: at a concurrency above the number of events, a group's events reach its handler
 * in queue order, each handed out before the previous one settled (the engine relies on it to send
 * an ordered handler several deliveries at once).
 */
export async function handsOutInOrder(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const release = Promise.withResolvers<void>();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    await release.promise;
    await delivery.ack();
  }, { concurrency: 50 });
  const sent = await suite.publishMany(adapter, 30);
  const received = await inbox.waitFor(30, "thirty deliveries in flight at once");
  release.resolve();
  assertEquals(ids(received), ids(sent), "the order deliveries were handed out in");
}

export async function concurrency(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const release = Promise.withResolvers<void>();
  const inbox = new Inbox(suite);
  let active = 0;
  let most = 0;
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    most = Math.max(most, ++active);
    inbox.push(delivery);
    await release.promise;
    active--;
    await delivery.ack();
  }, { concurrency: 3 });
  await suite.publishMany(adapter, 5);
  await inbox.waitFor(3, "three deliveries at once");
  await nextMacrotask();
  assertEquals(inbox.items.length, 3, "deliveries in flight at concurrency 3");
  release.resolve();
  await inbox.waitFor(5, "all five events");
  assertEquals(most, 3, "the most deliveries in flight at once");
}

export async function unsettledRedelivered(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const gate = new Gate();
  const first = await adapter.subscribe(suite.topic, "conformance.g1", async () => {
    gate.entered();
    await gate.released;
  });
  const [sent] = await suite.publishMany(adapter, 1);
  await suite.deadline(gate.reached, "the first delivery");
  const closing = first.close();
  gate.release();
  await suite.deadline(closing, "the subscription to close");
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const [again] = await inbox.waitFor(1, "the unsettled event again");
  assertEquals(again?.envelope.id, sent?.id, "the redelivered event id");
}

export async function unsettledAfterRestart(suite: Suite): Promise<void> {
  const gate = new Gate();
  const before = await suite.open();
  await before.subscribe(suite.topic, "conformance.g1", async () => {
    gate.entered();
    await gate.released;
  });
  const [sent] = await suite.publishMany(before, 1);
  await suite.deadline(gate.reached, "the first delivery");
  const closing = before.close();
  gate.release();
  await suite.deadline(closing, "the adapter to close");
  await using after = await suite.open();
  const inbox = new Inbox(suite);
  await after.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const [again] = await inbox.waitFor(1, "the unsettled event after the restart");
  assertEquals(again?.envelope.id, sent?.id, "the redelivered event id");
}

export async function retryDelay(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const delay = suite.options.retryDelayMs ?? 200;
  const inbox = new Inbox(suite);
  const retriedAt: number[] = [];
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    if (delivery.envelope.metadata.attempt === 1) {
      retriedAt.push(performance.now());
      await delivery.retry(delay, "Try again");
    } else await delivery.ack();
  });
  const [sent] = await suite.publishMany(adapter, 1);
  const [first, second] = await inbox.waitFor(2, "the retried delivery");
  const elapsed = performance.now() - (retriedAt[0] ?? 0);
  assertEquals(first?.envelope.metadata.attempt, 1, "the first attempt number");
  assertEquals(second?.envelope.metadata.attempt, 2, "the retried attempt number");
  assertEquals(second?.envelope.id, sent?.id, "the retried event id");
  assertEquals(second?.envelope.payload, sent?.payload, "the retried payload");
  assert(elapsed >= delay * 0.8, `Retried after ${Math.round(elapsed)} ms, asked for ${delay} ms`);
}

export async function retriesOnce(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const delays = [100, 600, 1100];
  const retried: string[] = [];
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    const { n } = delivery.envelope.payload as { n: number };
    if (delivery.envelope.metadata.attempt > 1) {
      retried.push(delivery.envelope.id);
      await delivery.ack();
    } else await delivery.retry(delays[n]!, "Try again");
  });
  const sent = await suite.publishMany(adapter, delays.length);
  await suite.eventually(() => Promise.resolve(retried.length >= delays.length), "every retry");
  // A copy of a retry would come back after another retry's delay: wait out the longest one.
  await new Promise((resolve) => setTimeout(resolve, Math.max(...delays) + 500));
  assertEquals(retried.toSorted(), sent.map((e) => e.id).toSorted(), "each retry, once");
}

/**
 * Many retries coming due together while others settle: each attempt is handed out once. (A poll
 * of the due retries that read one just before its settle landed handed it out a second time.)
 */
export async function retriesDueTogetherOnce(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const count = 40;
  const runs = new Map<string, number>();
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    const { id, metadata } = delivery.envelope;
    const run = `${id}/${metadata.attempt}`;
    runs.set(run, (runs.get(run) ?? 0) + 1);
    await nextMacrotask();
    if (metadata.attempt === 1) await delivery.retry(1 + runs.size % 7, "Try again");
    else await delivery.ack();
  }, { concurrency: 8 });
  const sent = await suite.publishMany(adapter, count);
  const retried = () => sent.filter((e) => runs.has(`${e.id}/2`)).length;
  await suite.eventually(() => Promise.resolve(retried() === count), "every retry");
  // A second copy of a retry would come with the next poll of the schedule.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const twice = [...runs].filter(([, n]) => n > 1).map(([run, n]) => `${run} x${n}`);
  assertEquals(twice, [], "each attempt handed out once");
  assertEquals(runs.size, 2 * count, "two attempts of each event");
}
