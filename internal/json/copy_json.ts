/**
 * A copy of a value exactly as `JSON.parse(JSON.stringify(value))` gives it: the memory adapter's
 * copy of each envelope (each group gets a value of its own, as from a broker) and the snapshot of
 * a payload handler code passes to `state.triggerEvent`. Plain JSON data (what flows nearly always:
 * payloads parsed from requests, or cloned from Workers) is copied field by field, which costs
 * about a tenth of the JSON round trip and builds no text; anything else (a `Date`, a class
 * instance, a `toJSON`, `undefined` in an array, a number JSON cannot write, a cycle) goes through
 * JSON, so the result never differs.
 *
 * @module
 */

/** Deeper than this, the copy hands over to JSON (which also reports cycles). */
const MAX_DEPTH = 64;

/** Marks a value the plain copy does not take. */
const NOT_PLAIN: unique symbol = Symbol("not plain JSON");

/**
 * A copy of a JSON value, equal to its JSON round trip.
 *
 * @param value the value (an envelope)
 * @throws {TypeError} as `JSON.stringify` does (a cycle, a `BigInt`)
 * @returns the copy; null for a value JSON writes nothing for (`undefined`, a function)
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { copyJson } from "./copy_json.ts";
 * const payload = { id: 1, tags: ["a"] };
 * const copy = copyJson(payload);
 * assertEquals([copy, copy === payload], [payload, false]);
 * ```
 */
export function copyJson<T>(value: T): T {
  const copied = plainCopy(value, 0);
  return copied === NOT_PLAIN ? roundTrip(value) : copied as T;
}

/** The JSON round trip; a value JSON writes nothing for (a function, `undefined`) becomes null. */
function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value) ?? "null");
}

function plainCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // JSON writes -0 as 0.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : NOT_PLAIN;
    case "object":
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return NOT_PLAIN;
      return Array.isArray(value) ? copyArray(value, depth) : copyObject(value, depth);
    default:
      return NOT_PLAIN;
  }
}

function copyArray(array: unknown[], depth: number): unknown {
  if (Object.getPrototypeOf(array) !== Array.prototype) return NOT_PLAIN;
  const out = new Array(array.length);
  for (let i = 0; i < array.length; i++) {
    const item = plainCopy(array[i], depth + 1);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    out[i] = item;
  }
  return out;
}

function copyObject(object: object, depth: number): unknown {
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  if ("toJSON" in object) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const field = (object as Record<string, unknown>)[key];
    // JSON leaves out an undefined field.
    if (field === undefined) continue;
    const copied = plainCopy(field, depth + 1);
    if (copied === NOT_PLAIN) return NOT_PLAIN;
    out[key] = copied;
  }
  return out;
}
