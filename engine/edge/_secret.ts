/**
 * Secrets between the main process and its edges: random, and compared in constant time.
 *
 * @module
 */

/** Bytes of randomness in a secret. */
const SECRET_BYTES = 32;

/** A new secret: 256 random bits as hex.
 *
 * @returns 64 hex digits
 */
export function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `given` is `expected`, in time that does not depend on where they differ.
 *
 * @param expected the secret
 * @param given what a peer sent
 * @returns true when equal
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { sameSecret } from "./_secret.ts";
 * assertEquals([sameSecret("ab", "ab"), sameSecret("ab", "ac")], [true, false]);
 * ```
 */
export function sameSecret(expected: string, given: string): boolean {
  if (given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0;
}
