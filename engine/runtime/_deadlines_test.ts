import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Deadline, Deadlines } from "./_deadlines.ts";

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

Deno.test("Deadlines expires in time order what a late timer finds in several lists", async () => {
  const deadlines = new Deadlines();
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  const start = performance.now();
  // Added in the opposite order of their expiry, each in a list of its own.
  deadlines.add(new Named("late", fired, done.resolve), 20, start);
  deadlines.add(new Named("early", fired), 10, start);
  // Block the thread past both deadlines, so that one timer callback finds both expired.
  while (performance.now() - start < 40) { /* busy */ }
  await done.promise;
  deadlines.close();
  assertEquals(fired, ["early", "late"]);
});

class Named extends Deadline {
  readonly #name: string;
  readonly #fired: string[];
  readonly #then: () => void;
  constructor(name: string, fired: string[], then: () => void = () => {}) {
    super();
    this.#name = name;
    this.#fired = fired;
    this.#then = then;
  }
  expire(): void {
    this.#fired.push(this.#name);
    this.#then();
  }
}
