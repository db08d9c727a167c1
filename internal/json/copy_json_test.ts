import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { copyJson } from "./copy_json.ts";

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));

Deno.test("copyJson gives what the JSON round trip gives, for plain data and for the rest", () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const values: unknown[] = [
    { id: "e-1", payload: { n: 1, tags: ["a", "b"], nested: { ok: true, none: null } } },
    { skipped: undefined, kept: 1 },
    [1, undefined, "x"],
    { at: new Date(0) },
    { n: NaN, m: Infinity },
    { zero: -0, list: [-0] },
    Array.from({ length: 3, 1: "only the middle" }),
    { point: new Point(2) },
    { custom: { toJSON: () => "custom" } },
    { map: new Map([["a", 1]]) },
    { fn: () => 1, symbol: Symbol("s") },
    Object.assign(Object.create(null), { bare: 1 }),
    "text",
    7,
    null,
  ];
  for (const value of values) assertEquals(copyJson(value), roundTrip(value));
});

Deno.test("copyJson shares nothing with the value it copies", () => {
  const value = { payload: { list: [{ n: 1 }] } };
  const copy = copyJson(value);
  copy.payload.list[0]!.n = 2;
  copy.payload.list.push({ n: 3 });
  assertEquals(value, { payload: { list: [{ n: 1 }] } });
});

Deno.test("copyJson refuses what JSON refuses: a cycle, a BigInt", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assertThrows(() => copyJson(cyclic), TypeError);
  assertThrows(() => copyJson({ big: 1n }), TypeError);
});

Deno.test("copyJson copies data nested deeper than its own limit through JSON", () => {
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 200; i++) deep = { next: deep };
  assertEquals(copyJson(deep), roundTrip(deep));
});

Deno.test("copyJson gives null for what JSON writes nothing for", () => {
  assertEquals([copyJson(undefined), copyJson(() => 1)], [null, null]);
});
