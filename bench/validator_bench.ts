/**
 * Validator throughput: a 7-field body (strings, numbers, an enum-like string, a nullable, an
 * array) checked by the validator `compileValidators` builds, valid and invalid bodies, beside a
 * hand-written check of the same rules as the reference. Target: over 1,000,000 validations/s.
 *
 * Run: `deno run -A bench/validator_bench.ts`
 *
 * @module
 */

import { parseSchema } from "../parser/mod.ts";
import { compileValidators } from "../codegen/mod.ts";

const SCHEMA = `input CreateOrder {
  customer: String
  email: String
  quantity: Int
  price: Float
  status: String
  note: String?
  tags: String[]
}`;

const VALID = {
  customer: "Ada Lovelace",
  email: "ada@example.com",
  quantity: 3,
  price: 19.99,
  status: "pending",
  note: null,
  tags: ["gift", "express"],
};
const INVALID = { ...VALID, quantity: 2.5, tags: ["gift", 7] };
const ITERATIONS = 2_000_000;

/** One measured case: validations per second. */
export interface ValidatorBenchRow {
  name: string;
  perSecond: number;
}

/** Measures the compiled validator on valid and invalid bodies, and a hand-written reference.
 *
 * @returns one row per case
 */
export function runValidatorBench(): ValidatorBenchRow[] {
  const validate = compileValidators(parseSchema(SCHEMA).schema).get("CreateOrder")!;
  const cases: [string, (value: unknown) => unknown[], unknown][] = [
    ["compiled, valid body", validate, VALID],
    ["compiled, invalid body (2 issues)", validate, INVALID],
    ["hand-written reference, valid body", handWritten, VALID],
  ];
  return cases.map(([name, fn, body]) => ({ name, perSecond: measure(fn, body) }));
}

/** Runs `fn` over eight distinct copies of `body` (no constant folding), warm-up first. */
function measure(fn: (value: unknown) => unknown[], body: unknown): number {
  const bodies = Array.from({ length: 8 }, (_, i) => ({ ...(body as object), customer: `c${i}` }));
  let sink = 0;
  for (let i = 0; i < ITERATIONS / 10; i++) sink += fn(bodies[i & 7]).length;
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) sink += fn(bodies[i & 7]).length;
  const seconds = (performance.now() - start) / 1000;
  if (sink < 0) throw new Error("Unreachable");
  return ITERATIONS / seconds;
}

const ENUM = new Set(["pending", "paid", "shipped"]);

function handWritten(value: unknown): unknown[] {
  const out: unknown[] = [];
  const v = value as Record<string, unknown>;
  if (typeof v.customer !== "string") out.push("customer");
  if (typeof v.email !== "string") out.push("email");
  if (!Number.isInteger(v.quantity)) out.push("quantity");
  if (typeof v.price !== "number") out.push("price");
  if (typeof v.status !== "string" || !ENUM.has(v.status)) out.push("status");
  if (v.note != null && typeof v.note !== "string") out.push("note");
  if (!Array.isArray(v.tags) || v.tags.some((t) => typeof t !== "string")) out.push("tags");
  return out;
}

if (import.meta.main) {
  for (const row of runValidatorBench()) {
    // deno-lint-ignore no-console
    console.log(`validator ${row.name.padEnd(36)} ${(row.perSecond / 1e6).toFixed(2)} M/s`);
  }
}
