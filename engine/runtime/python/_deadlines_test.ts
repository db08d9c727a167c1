import { assertEquals } from "./_test_assert.ts";
import { Deadlines } from "./_deadlines.ts";

/** An owner whose calls 1..n wait until answered; resolves `done` once `count` calls expired. */
function owner(count: number) {
  const waiting = new Set<number>();
  const expired: number[] = [];
  const done = Promise.withResolvers<void>();
  return {
    waiting,
    expired,
    done: done.promise,
    owner: {
      waiting: (id: number) => waiting.has(id),
      expired: (id: number) => {
        waiting.delete(id);
        expired.push(id);
        if (expired.length === count) done.resolve();
      },
    },
  };
}

Deno.test("calls expire in deadline order, also when added out of order", async () => {
  const o = owner(3);
  const deadlines = new Deadlines(o.owner);
  // One clock reading for the three: on a loaded machine the adds can be more than 10 ms apart.
  const now = performance.now();
  for (const [id, ms] of [[1, 30], [2, 10], [3, 20]] as const) {
    o.waiting.add(id);
    deadlines.add(id, ms, now);
  }
  await o.done;
  assertEquals(o.expired, [2, 3, 1]);
  deadlines.clear();
});

Deno.test("an answered call does not expire, and the last answer stops the timer", async () => {
  const o = owner(1);
  const deadlines = new Deadlines(o.owner);
  for (const id of [1, 2, 3]) {
    o.waiting.add(id);
    deadlines.add(id, id === 2 ? 5 : 60_000);
  }
  // Call 1 answers, then call 2 expires while call 3 waits.
  o.waiting.delete(1);
  deadlines.settled();
  await o.done;
  assertEquals(o.expired, [2]);
  // Call 3 answers: nothing waits, so no timer is left (the test's sanitizer checks).
  o.waiting.delete(3);
  deadlines.settled();
});

Deno.test("clear() forgets every call: none expires", async () => {
  const o = owner(1);
  const deadlines = new Deadlines(o.owner);
  o.waiting.add(1);
  deadlines.add(1, 5);
  deadlines.clear();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assertEquals(o.expired, []);
});
