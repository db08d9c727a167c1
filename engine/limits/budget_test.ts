// Rate and throttle budgets: a window's budget is shared by every instance on the store, resets
// with the next window, and a throttled run waits for it instead of being lost.
import assert from "node:assert/strict";
import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
import { LimitsClosedError, WindowBudget } from "./mod.ts";

const PREFIX = ["_rohas", "limits", "shop.work", "rate"];

Deno.test("a window's budget is shared by two instances and resets in the next window", async () => {
  const kv = kvOver(createMemoryKvBackend());
  let now = 10_000;
  const options = { kv, prefix: PREFIX, limit: 3, periodMs: 1000, now: () => now };
  const [a, b] = [new WindowBudget(options), new WindowBudget(options)];
  const taken = [await a.take("u1"), await b.take("u1"), await a.take("u1")];
  assert.deepEqual(taken, [null, null, null], "three runs fit");
  assert.equal(await b.take("u1"), 11_000, "the fourth is told when the next window starts");
  assert.equal(await a.take("u2"), null, "another key has its own budget");
  assert.deepEqual(await a.usage("u1"), { used: 3, resetsAt: 11_000 });
  now = 11_000;
  assert.equal(await b.take("u1"), null, "the next window has a new budget");
  await kv.close();
});

Deno.test("concurrent takes never hand out more than the budget", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const budgets = [0, 1, 2].map(() =>
    new WindowBudget({ kv, prefix: PREFIX, limit: 10, periodMs: 60_000 })
  );
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, n) => budgets[n % 3]!.take("")),
  );
  assert.equal(results.filter((r) => r === null).length, 10);
  await kv.close();
});

Deno.test("a throttled run waits for the next window, and no window runs more than its budget", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const periodMs = 500;
  const budget = new WindowBudget({ kv, prefix: PREFIX, limit: 2, periodMs });
  // All six ask at the start of a window, so that only a machine stalled for most of a window
  // could let a run start in a later window without waiting.
  await new Promise((resolve) => setTimeout(resolve, periodMs - Date.now() % periodMs));
  let waits = 0;
  const starts = await Promise.all(
    Array.from({ length: 6 }, () => budget.wait("", () => waits++).then(() => Date.now())),
  );
  const perWindow = new Map<number, number>();
  for (const t of starts) {
    const window = Math.floor(t / periodMs);
    perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
  }
  assert.ok(waits >= 4, `at least four runs waited (${waits})`);
  assert.ok(perWindow.size >= 3, `the runs spread over three windows or more (${perWindow.size})`);
  assert.ok([...perWindow.values()].every((n) => n <= 2), "at most 2 runs in any window");
  await kv.close();
});

Deno.test("closing a budget fails a throttled run that waits", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const budget = new WindowBudget({ kv, prefix: PREFIX, limit: 1, periodMs: 60_000 });
  await budget.wait("");
  const waiting = Promise.withResolvers<void>();
  const second = budget.wait("", () => waiting.resolve());
  await waiting.promise;
  budget.close();
  await assert.rejects(second, LimitsClosedError);
  await kv.close();
});
