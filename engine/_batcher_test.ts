import assert from "node:assert/strict";
import { Batcher } from "./_batcher.ts";

Deno.test("a batcher runs a full batch at once, without waiting for its time", async () => {
  const runs: number[][] = [];
  const batcher = new Batcher<number>({ size: 3, wait_ms: 60_000 }, (items) => {
    runs.push(items);
    return Promise.resolve();
  });
  const started = performance.now();
  await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.add(n)));
  assert.deepEqual(runs, [[1, 2, 3], [4, 5, 6]]);
  assert.ok(performance.now() - started < 30_000, "full batches did not wait for their time");
});

Deno.test("a batcher runs a partial batch when the time since its first item is up", async () => {
  const waits: number[] = [];
  const batcher = new Batcher<number>({ size: 10, wait_ms: 80 }, async () => {}, {
    started: (_size, waitedMs) => waits.push(waitedMs),
  });
  const first = batcher.add(1);
  await new Promise((resolve) => setTimeout(resolve, 40));
  await Promise.all([first, batcher.add(2)]);
  assert.equal(waits.length, 1, "one batch ran");
  // Timed from the first item, not the last: the second item waited only about half the time.
  assert.ok(waits[0]! >= 80 * 0.9 && waits[0]! < 80 + 1_000, `waited ${waits[0]} ms`);
});

Deno.test("a failed batch rejects every item in it with the handler's error", async () => {
  const error = new Error("The index is down");
  const batcher = new Batcher<number>({ size: 2, wait_ms: 10 }, () => Promise.reject(error));
  const outcomes = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
  assert.deepEqual(outcomes, [
    { status: "rejected", reason: error },
    { status: "rejected", reason: error },
  ]);
});

Deno.test("a batcher reports how many items wait as its batch fills and empties", async () => {
  const waiting: number[] = [];
  const sizes: number[] = [];
  const batcher = new Batcher<number>({ size: 3, wait_ms: 10 }, async () => {}, {
    waiting: (n) => waiting.push(n),
    started: (n) => sizes.push(n),
  });
  await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3), batcher.add(4)]);
  assert.deepEqual(waiting, [1, 2, 0, 1, 0]);
  assert.deepEqual(sizes, [3, 1]);
});

Deno.test("flushing a batcher runs its forming batch at once and leaves no timer behind", async () => {
  const runs: string[][] = [];
  const batcher = new Batcher<string>({ size: 5, wait_ms: 60_000 }, (items) => {
    runs.push(items);
    return Promise.resolve();
  });
  const pending = batcher.add("a");
  assert.equal(batcher.waiting, 1);
  batcher.flush();
  await pending;
  assert.deepEqual(runs, [["a"]]);
  assert.equal(batcher.waiting, 0);
});
