import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { checkKey, compareKeys, decodeKey, encodeKey } from "./_keys.ts";
import { KvInputError } from "./errors.ts";
import type { KvKey } from "./kv.ts";

Deno.test("encodeKey() round-trips strings, numbers and unicode", () => {
  const keys: KvKey[] = [["a"], [""], ["tasks", 42], [-1.5, "é✓", 0], [
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
  ]];
  for (const key of keys) {
    assertEquals(decodeKey(encodeKey(key)), key);
  }
});

Deno.test("compareKeys() orders strings before numbers, numbers numerically, prefixes first", () => {
  const sorted: KvKey[] = [
    ["a"],
    ["a", "b"],
    ["a", -10],
    ["a", -1],
    ["a", 0],
    ["a", 2],
    ["a", 10],
    ["ab"],
    ["b"],
    [-3],
    [7],
  ];
  const shuffled = [...sorted].reverse();
  assertEquals(shuffled.sort(compareKeys), sorted);
});

Deno.test("encodeKey() text uses only characters a NATS subject token accepts", () => {
  assertEquals(/^[a-f0-9.]+$/.test(encodeKey(["x y/z*>", 3.25, ""])), true);
});

Deno.test("checkKey() refuses empty keys, wrong part types and oversized keys", () => {
  assertThrows(() => checkKey([]), KvInputError);
  assertThrows(
    () => checkKey(["a", true]),
    /Invalid key part true: expected a string or a finite number/,
  );
  assertThrows(() => checkKey([NaN]), KvInputError);
  assertThrows(() => checkKey("a"), /expected an array, got string/);
  assertThrows(() => checkKey(["x".repeat(3000)]), /at most 2048/);
});
