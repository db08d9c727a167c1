import assert from "node:assert/strict";
import { publishSeriesWithin, seriesFromWire, seriesToWire } from "./_series.ts";
import { EdgeError } from "./errors.ts";

const options = { parentId: null, source: "api:Burst" };
const series = (...topics: string[]) => topics.map((topic) => ({ topic, payload: null, options }));

Deno.test("publishSeriesWithin: publishes in turn and stops at the first refusal", async () => {
  const published: string[] = [];
  const outcome = await publishSeriesWithin(
    (topic) => {
      if (topic === "B") return Promise.reject(new Error("Refused"));
      published.push(topic);
      return Promise.resolve();
    },
    series("A", "B", "C"),
    1000,
  );
  assert.deepEqual(published, ["A"]);
  assert.equal(outcome.accepted.length, 1);
  assert.equal((outcome.error as Error).message, "Refused");
});

Deno.test("publishSeriesWithin: a publication the adapter never accepts ends the series at its timeout", async () => {
  const published: string[] = [];
  const started = performance.now();
  const outcome = await publishSeriesWithin(
    (topic) => {
      published.push(topic);
      return topic === "B" ? new Promise(() => {}) : Promise.resolve();
    },
    series("A", "B", "C"),
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

Deno.test("publishSeriesWithin: the timeout is per publication, not for the whole series", async () => {
  // Five publications of 30 ms each: 150 ms in all, each within its 80 ms.
  const outcome = await publishSeriesWithin(
    () => new Promise((resolve) => setTimeout(resolve, 30)),
    series("A", "B", "C", "D", "E"),
    80,
  );
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.accepted.length, 5);
  for (const [at, duration] of outcome.accepted) {
    assert.ok(at > 0 && duration >= 25, `[${at}, ${duration}]`);
  }
});

Deno.test("seriesToWire: a series travels with its shared options once and comes back whole", () => {
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
  assert.deepEqual(seriesFromWire(JSON.parse(JSON.stringify(wire))), items);
});
