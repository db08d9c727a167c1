import assert from "node:assert/strict";
import type { Delivery, EventEnvelope } from "../adapter.ts";
import { Consumer, Dispatcher } from "./dispatcher.ts";
import { Fifo } from "./fifo.ts";

function envelope(id: string): EventEnvelope {
  return {
    id,
    topic: "Ping",
    payload: {},
    timestamp: new Date(0).toISOString(),
    metadata: { trace_id: "t", parent_id: null, source: "workbench", attempt: 1 },
  };
}

/** A dispatcher over a FIFO of envelopes, recording acks and handler errors. */
function fixture(ids: string[]) {
  const queue = new Fifo<EventEnvelope>();
  for (const id of ids) queue.push(envelope(id));
  const acked: string[] = [];
  const failures: unknown[] = [];
  const firstFailure = Promise.withResolvers<void>();
  const dispatcher = new Dispatcher<EventEnvelope>({
    pending: () => queue.length > 0,
    take: () => queue.shift(),
    open: (item) => ({
      envelope: item,
      mechanism: {
        ack: () => Promise.resolve(void acked.push(item.id)),
        retry: () => Promise.resolve(),
        deadLetter: () => Promise.resolve(),
      },
    }),
    putBack: (item) => queue.unshift(item),
    failed: (error) => {
      failures.push(error);
      firstFailure.resolve();
    },
  });
  return { dispatcher, queue, acked, failures, failed: firstFailure.promise };
}

Deno.test("Dispatcher hands a delivery its handler never settled out again before the next one", async () => {
  const { dispatcher, acked } = fixture(["a", "b"]);
  const seen: string[] = [];
  const done = Promise.withResolvers<void>();
  let threw = false;
  const consumer = new Consumer(async (delivery: Delivery) => {
    seen.push(delivery.envelope.id);
    if (!threw) {
      threw = true;
      throw new Error("Before settling");
    }
    await delivery.ack();
    if (acked.length === 2) done.resolve();
  }, 1);
  dispatcher.add(consumer);
  await done.promise;
  await dispatcher.remove(consumer);
  assert.deepEqual(seen, ["a", "a", "b"]);
  assert.deepEqual(acked, ["a", "b"]);
});

Deno.test("Dispatcher reports an error thrown after the settle and does not redeliver", async () => {
  const { dispatcher, acked, failures, queue, failed } = fixture(["a"]);
  const late = new Error("After settling");
  const consumer = new Consumer(async (delivery) => {
    await delivery.ack();
    throw late;
  }, 1);
  dispatcher.add(consumer);
  await failed;
  await dispatcher.remove(consumer);
  assert.deepEqual(failures, [late]);
  assert.deepEqual(acked, ["a"]);
  assert.equal(queue.length, 0);
});

Deno.test("Dispatcher shares a group's items round-robin and keeps each consumer at its concurrency", async () => {
  const { dispatcher } = fixture(["1", "2", "3", "4"]);
  const byConsumer: Record<string, string[]> = { left: [], right: [] };
  let running = 0;
  let most = 0;
  const done = Promise.withResolvers<void>();
  const handler = (name: string) => async (delivery: Delivery) => {
    running++;
    most = Math.max(most, running);
    byConsumer[name]?.push(delivery.envelope.id);
    await Promise.resolve();
    running--;
    await delivery.ack();
    if (byConsumer.left!.length + byConsumer.right!.length === 4) done.resolve();
  };
  const left = new Consumer(handler("left"), 1);
  const right = new Consumer(handler("right"), 1);
  dispatcher.add(left);
  dispatcher.add(right);
  await done.promise;
  await Promise.all([dispatcher.remove(left), dispatcher.remove(right)]);
  assert.deepEqual(byConsumer, { left: ["1", "3"], right: ["2", "4"] });
  assert.equal(most, 2);
});

Deno.test("Dispatcher.remove() waits for the consumer's deliveries in flight and feeds it no more", async () => {
  const { dispatcher, acked, queue } = fixture(["a", "b", "c"]);
  const gate = Promise.withResolvers<void>();
  const started = Promise.withResolvers<void>();
  let running = 0;
  const consumer = new Consumer(async (delivery) => {
    if (++running === 2) started.resolve();
    await gate.promise;
    await delivery.ack();
  }, 2);
  dispatcher.add(consumer);
  await started.promise;
  let removed = false;
  const removing = dispatcher.remove(consumer).then(() => removed = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(removed, false, "still waiting for the two deliveries in flight");
  gate.resolve();
  await removing;
  assert.deepEqual(acked, ["a", "b"]);
  assert.equal(queue.length, 1, "the third was never handed to the removed consumer");
});
