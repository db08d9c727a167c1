/**
 * Assertions for this folder's tests, on `node:assert` (`@std/assert` lives on JSR).
 *
 * @module
 */

import { deepStrictEqual, match, ok } from "node:assert/strict";

/** Asserts a condition (narrows its type). */
export function assert(condition: unknown, message?: string): asserts condition {
  ok(condition, message);
}

/** Asserts deep equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** Asserts that `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp): void {
  match(text, pattern);
}

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string): void {
  ok(text.includes(part), `Expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`);
}
