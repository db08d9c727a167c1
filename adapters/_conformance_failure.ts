/**
 * The conformance cases of failure and lifecycle: dead letters and their replay, idempotency,
 * closing a subscription or the adapter, durability and a broker restart (adapters/conformance.ts
 * runs them).
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertRejects,
  Gate,
  ids,
  Inbox,
  nextMacrotask,
  type Suite,
} from "./_conformance_suite.ts";
import { PUBLISH_GROUP } from "./adapter.ts";

export async function deadLetterReplay(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    if (inbox.items.length === 1) await delivery.deadLetter("Boom: the handler failed");
    else await delivery.ack();
  });
  const [sent] = await suite.publishMany(adapter, 1);
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 1,
    "the dead letter",
  );
  const [letter] = await adapter.listDeadLetters(suite.topic);
  assertEquals(letter?.envelope.id, sent?.id, "the dead letter's event id");
  assertEquals(letter?.envelope.payload, sent?.payload, "the dead letter's payload");
  assertEquals(letter?.group, "conformance.g1", "the dead letter's group");
  assertEquals(letter?.error, "Boom: the handler failed", "the dead letter's error");
  assert(!Number.isNaN(Date.parse(letter?.failed_at ?? "")), "failed_at is an ISO date");
  const all = await adapter.listDeadLetters();
  assert(
    all.some((each) => each.envelope.id === sent?.id),
    "listDeadLetters() without a topic lists it",
  );
  assertEquals(await adapter.replayDeadLetters(suite.topic), 1, "the number replayed");
  const [, replayed] = await inbox.waitFor(2, "the replayed event");
  assertEquals(replayed?.envelope.id, sent?.id, "the replayed event id");
  assertEquals(replayed?.envelope.metadata.attempt, 1, "the replayed attempt number");
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 0,
    "the dead letter to be gone",
  );
}

export async function replayById(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  const seen = new Set<string>();
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    const first = !seen.has(delivery.envelope.id);
    seen.add(delivery.envelope.id);
    if (first) await delivery.deadLetter("Failed");
    else await delivery.ack();
  });
  const [kept, replayed] = await suite.publishMany(adapter, 2);
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 2,
    "two dead letters",
  );
  const count = await adapter.replayDeadLetters(suite.topic, { ids: [replayed?.id ?? ""] });
  assertEquals(count, 1, "the number replayed");
  const received = await inbox.waitFor(3, "the replayed event");
  assertEquals(received[2]?.envelope.id, replayed?.id, "the replayed event id");
  const left = await adapter.listDeadLetters(suite.topic);
  assertEquals(ids(left.map((letter) => letter)), [kept?.id], "the dead letters left");
}

export async function deadLetterOutside(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  const other = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  await adapter.subscribe(suite.topic, "conformance.g2", other.acking());
  // As the engine gives up a run it held itself: the broker settled the delivery long ago.
  const held = suite.envelope({ n: 1 }, { attempt: 3 });
  await adapter.deadLetter?.(held, "conformance.g1", "Boom: the held run failed");
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 1,
    "the dead letter",
  );
  const [letter] = await adapter.listDeadLetters(suite.topic);
  assertEquals(letter?.envelope, held, "the dead letter's envelope, attempt included");
  assertEquals(letter?.group, "conformance.g1", "the dead letter's group");
  assertEquals(letter?.error, "Boom: the held run failed", "the dead letter's error");
  assert(!Number.isNaN(Date.parse(letter?.failed_at ?? "")), "failed_at is an ISO date");
  const all = await adapter.listDeadLetters();
  assert(all.some((each) => each.envelope.id === held.id), "listDeadLetters() lists it");
  assertEquals(await adapter.replayDeadLetters(suite.topic), 1, "the number replayed");
  const [replayed] = await inbox.waitFor(1, "the replayed event");
  assertEquals(replayed?.envelope.id, held.id, "the replayed event id");
  assertEquals(replayed?.envelope.payload, held.payload, "the replayed payload");
  assertEquals(replayed?.envelope.metadata.attempt, 1, "the replayed attempt number");
  // A later event reaches both groups; the replay reached the first alone.
  const [later] = await suite.publishMany(adapter, 1, 1);
  await inbox.waitFor(2, "the later event in the first group");
  await other.waitFor(1, "the later event in the other group");
  assertEquals(ids(other.items), [later?.id], "the events of the other group");
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 0,
    "the dead letter to be gone",
  );
}

export async function publishDeadLetter(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const first = new Inbox(suite);
  const second = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", first.acking());
  await adapter.subscribe(suite.topic, "conformance.g2", second.acking());
  // As the engine gives up a delayed publish the schema refused when it came due.
  const refused = suite.envelope({ n: 1 }, { idempotency_key: `key-${crypto.randomUUID()}` });
  await adapter.deadLetter?.(refused, PUBLISH_GROUP, "Refused: the payload does not match");
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 1,
    "the dead letter",
  );
  const [letter] = await adapter.listDeadLetters(suite.topic);
  assertEquals(letter?.envelope, refused, "the dead letter's envelope");
  assertEquals(letter?.group, PUBLISH_GROUP, "the dead letter's group");
  assertEquals(await adapter.replayDeadLetters(suite.topic), 1, "the number replayed");
  const [toFirst] = await first.waitFor(1, "the replayed publish in the first group");
  const [toSecond] = await second.waitFor(1, "the replayed publish in the second group");
  for (const replayed of [toFirst, toSecond]) {
    assertEquals(replayed?.envelope.id, refused.id, "the replayed event id");
    assertEquals(replayed?.envelope.payload, refused.payload, "the replayed payload");
    assertEquals(replayed?.envelope.metadata, refused.metadata, "the replayed metadata");
  }
  await suite.eventually(
    async () => (await adapter.listDeadLetters(suite.topic)).length === 0,
    "the dead letter to be gone",
  );
}

export async function idempotency(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const key = `key-${crypto.randomUUID()}`;
  const original = suite.envelope({ n: 1 }, { idempotency_key: key });
  const duplicate = suite.envelope({ n: 1 }, { idempotency_key: key });
  const other = suite.envelope({ n: 2 });
  await adapter.publish(original);
  await adapter.publish(duplicate);
  await adapter.publish(other);
  const received = await inbox.waitFor(2, "the original and the other event");
  await adapter.close();
  assertEquals(ids(inbox.items).sort(), [original.id, other.id].sort(), "the events delivered");
  assertEquals(received.length, 2, "deliveries");
}

export async function closeSubscription(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const gate = new Gate();
  let finished = false;
  const inbox = new Inbox(suite);
  const subscription = await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    inbox.push(delivery);
    gate.entered();
    await gate.released;
    await delivery.ack();
    finished = true;
  }, { concurrency: 1 });
  const sent = await suite.publishMany(adapter, 2);
  await suite.deadline(gate.reached, "the first delivery");
  let closed = false;
  const closing = subscription.close().then(() => closed = true);
  await nextMacrotask();
  assert(!closed, "close() resolved while a delivery was in flight");
  gate.release();
  await suite.deadline(closing, "the subscription to close");
  assert(finished, "close() resolved before the in-flight handler finished");
  assertEquals(inbox.items.length, 1, "deliveries to a closed subscription");
  const rest = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", rest.acking());
  const [second] = await rest.waitFor(1, "the event not delivered before close");
  // Not necessarily sent[1]: adapters that do not keep order may have delivered it first.
  const remaining = sent.find((event) => event.id !== inbox.items[0]?.envelope.id);
  assertEquals(second?.envelope.id, remaining?.id, "the remaining event id");
}

export async function closeAdapter(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const gate = new Gate();
  let finished = false;
  await adapter.subscribe(suite.topic, "conformance.g1", async (delivery) => {
    gate.entered();
    await gate.released;
    await delivery.ack();
    finished = true;
  });
  await suite.publishMany(adapter, 1);
  await suite.deadline(gate.reached, "the first delivery");
  let closed = false;
  const closing = adapter.close().then(() => closed = true);
  await nextMacrotask();
  assert(!closed, "close() resolved while a delivery was in flight");
  gate.release();
  await suite.deadline(closing, "the adapter to close");
  assert(finished, "close() resolved before the in-flight handler finished");
  await adapter.close();
  await assertRejects(() => adapter.publish(suite.envelope({})), "publish() after close()");
}

export async function durability(suite: Suite): Promise<void> {
  const before = await suite.open();
  const subscription = await before.subscribe(
    suite.topic,
    "conformance.g1",
    (delivery) => delivery.ack(),
  );
  await subscription.close();
  const sent = await suite.publishMany(before, 3);
  await before.close();
  await using after = await suite.open();
  const inbox = new Inbox(suite);
  await after.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const received = await inbox.waitFor(3, "the events published before the restart");
  assertEquals(ids(received).sort(), ids(sent).sort(), "the events after the restart");
}

export async function brokerRestart(suite: Suite): Promise<void> {
  await using adapter = await suite.open();
  const inbox = new Inbox(suite);
  await adapter.subscribe(suite.topic, "conformance.g1", inbox.acking());
  const before = await suite.publishMany(adapter, 5);
  await inbox.waitFor(5, "the events before the broker restart");
  await suite.options.restartBroker?.();
  const after = await suite.publishMany(adapter, 5, 5);
  await inbox.waitFor(10, "the events after the broker restart");
  const unique = new Set(ids(inbox.items));
  assertEquals([...unique].sort(), ids([...before, ...after]).sort(), "the events delivered");
}

/**
 * A transient group is removed with its subscription, and the others with the adapter, as the
 * broker itself reports (`groupExists`); one that lives on keeps receiving meanwhile.
 */
export async function transientGroup(suite: Suite): Promise<void> {
  const exists = (group: string) => suite.options.groupExists?.(suite.topic, group) ?? false;
  const adapter = await suite.open();
  try {
    const inbox = new Inbox(suite);
    const transient = { transient: true };
    const first = await adapter.subscribe(suite.topic, "conformance.t1", inbox.acking(), transient);
    await adapter.subscribe(suite.topic, "conformance.t2", inbox.acking(), transient);
    assert(await exists("conformance.t1"), "the broker holds the transient group while subscribed");
    await suite.publishMany(adapter, 1);
    await inbox.waitFor(2, "the event in both transient groups");
    await first.close();
    await suite.eventually(async () => !(await exists("conformance.t1")), "the closed group gone");
    assert(await exists("conformance.t2"), "the broker keeps the group still subscribed");
    await suite.publishMany(adapter, 1, 1);
    await inbox.waitFor(3, "the next event in the group still subscribed");
  } finally {
    await adapter.close();
  }
  await suite.eventually(async () => !(await exists("conformance.t2")), "the group gone");
}
