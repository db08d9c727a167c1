import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Deadlines } from "./_deadlines.ts";

Deno.test("Deadlines fires expired deadlines in order and skips cancelled ones", async () => {
  const deadlines = new Deadlines();
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  deadlines.after(30, () => fired.push("b"));
  const cancelled = deadlines.after(5, () => fired.push("cancelled"));
  deadlines.after(10, () => fired.push("a"));
  deadlines.after(40, () => {
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
  const entries = [deadlines.after(1000, () => {}), deadlines.after(2000, () => {})];
  deadlines.cancel(entries[0]!);
  deadlines.close();
});

Deno.test("Deadlines treats an endless timeout as the longest timer, not as zero", async () => {
  const deadlines = new Deadlines();
  let fired = false;
  const later = Promise.withResolvers<void>();
  deadlines.after(Infinity, () => fired = true);
  deadlines.after(5, () => later.resolve());
  await later.promise;
  deadlines.close();
  assertEquals(fired, false);
});
