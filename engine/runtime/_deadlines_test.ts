import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Deadlines } from "./_deadlines.ts";

Deno.test("Deadlines fires expired deadlines in order and skips cancelled ones", async () => {
  const deadlines = new Deadlines();
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  deadlines.add(30, () => fired.push("b"));
  const cancelled = deadlines.add(5, () => fired.push("cancelled"));
  deadlines.add(10, () => fired.push("a"));
  deadlines.add(40, () => {
    fired.push("c");
    done.resolve();
  });
  deadlines.cancel(cancelled);
  deadlines.cancel(cancelled);
  await done.promise;
  deadlines.close();
  assertEquals(fired, ["a", "b", "c"]);
});

Deno.test("Deadlines close() leaves no timer behind", () => {
  const deadlines = new Deadlines();
  const entries = [deadlines.add(1000, () => {}), deadlines.add(2000, () => {})];
  deadlines.cancel(entries[0]!);
  deadlines.close();
});

Deno.test("Deadlines treats an endless timeout as the longest timer, not as zero", async () => {
  const deadlines = new Deadlines();
  let fired = false;
  const later = Promise.withResolvers<void>();
  deadlines.add(Infinity, () => fired = true);
  deadlines.add(5, () => later.resolve());
  await later.promise;
  deadlines.close();
  assertEquals(fired, false);
});
