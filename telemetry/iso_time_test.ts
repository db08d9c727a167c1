import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { isoTime } from "./iso_time.ts";

Deno.test("isoTime() gives Date's ISO text for every millisecond, in any order of calls", () => {
  const base = Date.UTC(2026, 11, 7, 3, 20, 59, 990);
  // Within one second, across second, minute, day and year edges, back and forth.
  const times = [base, base + 1, base + 9, base + 10, base + 11, base + 99, base + 100, base + 5];
  for (let i = 0; i < 2_000; i++) times.push(base + i * 7, base - i * 13);
  times.push(Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), 0, 1, 999, -1, -1001);
  times.push(Date.UTC(1969, 11, 31, 23, 59, 59, 5), 253402300799999, 253402300800000, 1.5, 999.9);
  for (const ms of times) assertEquals(isoTime(ms), new Date(ms).toISOString(), String(ms));
});

Deno.test("isoTime() gives one string for calls in the same millisecond and refuses an invalid time", () => {
  const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  assertEquals(isoTime(ms), "2026-01-02T03:04:05.006Z");
  assertEquals(isoTime(ms), isoTime(ms));
  assertThrows(() => isoTime(Number.NaN), RangeError);
});
