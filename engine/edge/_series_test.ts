import assert from "node:assert/strict";
import type { PublishOptions, SeriesItem } from "../parts.ts";
import { type PublishOne, type PublishPart, SeriesRun, seriesToWire } from "./_series.ts";
import { EdgeError } from "./errors.ts";

const options = { parentId: null, source: "api:Burst" };
const series = (...topics: string[]) =>
  seriesToWire(topics.map((topic) => ({ topic, payload: null, options })));

/** A series of one part, published. */
function publishSeries(publish: PublishOne, topics: string[], timeoutMs: number) {
  const run = new SeriesRun(publish, timeoutMs);
  run.add(series(...topics), { last: true });
  return run.outcome;
}

/** A publish that records each topic and accepts at once. */
function recording(): { topics: string[]; publish: PublishOne } {
  const topics: string[] = [];
  return { topics, publish: (topic) => Promise.resolve(topics.push(topic)) };
}

Deno.test("a series publishes in turn and stops at the first refusal", async () => {
  const published: string[] = [];
  const outcome = await publishSeries(
    (topic) => {
      if (topic === "B") return Promise.reject(new Error("Refused"));
      published.push(topic);
      return Promise.resolve();
    },
    ["A", "B", "C"],
    1000,
  );
  assert.deepEqual(published, ["A"]);
  assert.equal(outcome.accepted.length, 1);
  assert.equal((outcome.error as Error).message, "Refused");
});

Deno.test("a publication the adapter never accepts ends the series at its timeout", async () => {
  const published: string[] = [];
  const started = performance.now();
  const outcome = await publishSeries(
    (topic) => {
      published.push(topic);
      return topic === "B" ? new Promise(() => {}) : Promise.resolve();
    },
    ["A", "B", "C"],
    50,
  );
  const waited = performance.now() - started;
  assert.ok(waited >= 49 && waited < 1000, `answered after ${waited} ms`);
  assert.equal(outcome.accepted.length, 1);
  assert.ok(outcome.error instanceof EdgeError);
  assert.equal(outcome.error.message, 'Cannot publish "B": not accepted within 50 ms');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(published, ["A", "B"], "nothing is published after the timeout");
});

Deno.test("the timeout is per publication, not for the whole series", async () => {
  // Five publications of 30 ms each: 150 ms in all, each within its 80 ms.
  const outcome = await publishSeries(
    () => new Promise((resolve) => setTimeout(resolve, 30)),
    ["A", "B", "C", "D", "E"],
    80,
  );
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.accepted.length, 5);
  for (const [at, duration] of outcome.accepted) {
    assert.ok(at > 0 && duration >= 25, `[${at}, ${duration}]`);
  }
});

Deno.test("a series in parts publishes each part as it arrives and answers after the last", async () => {
  const { topics, publish } = recording();
  const run = new SeriesRun(publish, 1000);
  let answered = false;
  run.outcome.then(() => answered = true);
  run.add(series("A", "B"));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual([topics, answered], [["A", "B"], false]);
  run.add(series("C"));
  run.add(series("D"), { last: true });
  const outcome = await run.outcome;
  assert.deepEqual([topics, outcome.accepted.length, outcome.error], [
    ["A", "B", "C", "D"],
    4,
    undefined,
  ]);
  run.add(series("E"));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(topics, ["A", "B", "C", "D"], "a part after the last is ignored");
});

Deno.test("parts that arrive after a refusal publish nothing", async () => {
  const topics: string[] = [];
  const run = new SeriesRun((topic) => {
    if (topic === "B") return Promise.reject(new Error("Refused"));
    topics.push(topic);
    return Promise.resolve();
  }, 1000);
  run.add(series("A", "B"));
  const outcome = await run.outcome;
  run.add(series("C"), { last: true });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual([topics, outcome.accepted.length], [["A"], 1]);
  assert.equal((outcome.error as Error).message, "Refused");
});

Deno.test("a next part that does not arrive in time ends the series with what was accepted", async () => {
  const { topics, publish } = recording();
  const run = new SeriesRun(publish, 50);
  run.add(series("A"));
  const outcome = await run.outcome;
  assert.equal(outcome.accepted.length, 1);
  assert.ok(outcome.error instanceof EdgeError);
  assert.equal(
    outcome.error.message,
    "Cannot publish the rest of a series of events: its next part did not arrive within 50 ms",
  );
  run.add(series("B"), { last: true });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(topics, ["A"], "a part after the timeout is not published");
});

Deno.test("a series the edge abandoned publishes nothing more and fails", async () => {
  const { topics, publish } = recording();
  const run = new SeriesRun(publish, 1000);
  run.add(series("A"));
  run.add([], { abandoned: true });
  run.add(series("B"), { last: true });
  const outcome = await run.outcome;
  assert.deepEqual([topics, outcome.accepted.length], [["A"], 1]);
  assert.ok(outcome.error instanceof EdgeError);
  assert.match(outcome.error.message, /the edge abandoned it/);
});

Deno.test("a series travels with its shared options once and is published with each one's own", async () => {
  const cause = { parentId: "t-1", source: "api:Burst", traceparent: "00-a-b-01" };
  const items = [
    { topic: "A", payload: { n: 0 }, options: { ...cause, idempotencyKey: "t-1:0" } },
    { topic: "A", payload: { n: 1 }, options: { ...cause, idempotencyKey: "t-1:1" } },
    { topic: "B", payload: null, options: { ...cause } },
    { topic: "C", payload: 3, options: { parentId: "t-2", source: "api:Burst" } },
    { topic: "C", payload: 4, options: { parentId: "t-2", source: "api:Burst" } },
    {
      topic: "D",
      payload: 5,
      options: { parentId: "t-2", source: "api:Burst", timing: { kind: "at", at: 9, key: "k" } },
    },
    {
      topic: "D",
      payload: 6,
      options: { parentId: "t-2", source: "api:Burst", timing: { kind: "cancel", key: "k" } },
    },
  ] as const;
  const wire = seriesToWire(items);
  assert.deepEqual(wire.map((item) => item.options === undefined), [
    false,
    true,
    true,
    false,
    true,
    false,
    false,
  ]);
  assert.deepEqual(wire[1], { topic: "A", payload: { n: 1 }, key: "t-1:1" });
  const received: [string, PublishOptions][] = [];
  const run = new SeriesRun((topic, _payload, options) => {
    received.push([topic, options]);
    return Promise.resolve();
  }, 1000);
  // Each part begins with its options (seriesToWire per part), as an edge sends them.
  run.add(JSON.parse(JSON.stringify(wire.slice(0, 3))));
  run.add(JSON.parse(JSON.stringify(seriesToWire(items.slice(3)))), { last: true });
  assert.equal((await run.outcome).accepted.length, items.length);
  assert.deepEqual(received, items.map((item) => [item.topic, item.options]));
});

/** Publishes parts at once, recording each part's topics; refuses the topic `refuse` and the rest. */
function partRecorder(refuse?: string): { parts: string[][]; publishPart: PublishPart } {
  const parts: string[][] = [];
  const publishPart: PublishPart = (items: readonly SeriesItem[]) => {
    const refused = items.findIndex((item) => item.topic === refuse);
    const accepted = refused < 0 ? items : items.slice(0, refused);
    parts.push(accepted.map((item) => item.topic));
    const times = accepted.map((): [number, number] => [Date.now(), 1]);
    return Promise.resolve(
      refused < 0 ? { accepted: times } : {
        accepted: times,
        error: new Error(`Refused ${refuse}`),
      },
    );
  };
  return { parts, publishPart };
}

Deno.test("with publishPart, each part is published in one call, in order, with its options", async () => {
  const { parts, publishPart } = partRecorder();
  const seen: PublishOptions[] = [];
  const one = recording();
  const run = new SeriesRun(one.publish, 1000, (items) => {
    seen.push(...items.map((item) => item.options));
    return publishPart(items);
  });
  const keyed = (i: number) => ({ ...options, idempotencyKey: `k:${i}` });
  const wire = seriesToWire(
    ["A", "B", "C", "D"].map((topic, i) => ({ topic, payload: i, options: keyed(i) })),
  );
  run.add(wire.slice(0, 2));
  run.add(wire.slice(2), { last: true });
  const outcome = await run.outcome;
  assert.deepEqual(parts, [["A", "B"], ["C", "D"]]);
  assert.equal(outcome.accepted.length, 4);
  assert.deepEqual(seen, [0, 1, 2, 3].map(keyed));
  assert.deepEqual(one.topics, [], "nothing went one by one");
});

Deno.test("with publishPart, a refusal in a part stops the series: no later part is published", async () => {
  const { parts, publishPart } = partRecorder("C");
  const run = new SeriesRun(recording().publish, 1000, publishPart);
  run.add(series("A", "B"));
  run.add(series("C", "D"));
  run.add(series("E"), { last: true });
  const outcome = await run.outcome;
  assert.deepEqual(parts, [["A", "B"], []]);
  assert.equal(outcome.accepted.length, 2);
  assert.equal((outcome.error as Error).message, "Refused C");
});

Deno.test("with publishPart, a part the adapter never accepts ends the series at its timeout", async () => {
  const run = new SeriesRun(recording().publish, 50, () => new Promise(() => {}));
  run.add(series("A", "B"), { last: true });
  const outcome = await run.outcome;
  assert.equal(outcome.accepted.length, 0);
  assert.ok(outcome.error instanceof EdgeError);
  assert.equal(outcome.error.message, 'Cannot publish "A": not accepted within 50 ms');
});
