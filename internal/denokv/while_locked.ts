/**
 * Retrying a Deno KV operation while another handle holds the file's write lock. Several processes
 * share one local KV file and SQLite answers one of two concurrent writers (or openers) "database is
 * locked" at once, instead of waiting for the other.
 *
 * @module
 */

/** How long an operation is retried by default while the file stays locked. */
const LOCKED_RETRY_MS = 10_000;

/**
 * Runs `fn`, again (after a short randomised pause) while it fails because the file is locked.
 *
 * @param fn the operation; it must be safe to run again after a "database is locked" failure,
 *   which SQLite reports before anything is written
 * @param timeoutMs how long to keep retrying; past it the lock error is thrown. Default 10000.
 * @returns what `fn` returns
 * @throws whatever `fn` throws that is not the lock, and the lock once `timeoutMs` passed
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { whileLocked } from "./mod.ts";
 * const kv = await Deno.openKv(":memory:");
 * const result = await whileLocked(() => kv.set(["n"], 1));
 * equal(result.ok, true);
 * kv.close();
 * ```
 */
export async function whileLocked<T>(
  fn: () => Promise<T>,
  timeoutMs: number = LOCKED_RETRY_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2;; delay = Math.min(delay * 2, 100)) {
    try {
      return await fn();
    } catch (error) {
      if (!isLocked(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }
}

/**
 * Whether an error is SQLite's "database is locked". Deno reports it as a plain `TypeError` from
 * an operation and as a plain `Error` from `Deno.openKv` (two processes opening one new file at
 * once), so its text is the only sign of it.
 *
 * @param error what an operation threw
 * @returns true for the lock
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { isLocked } from "./mod.ts";
 * equal(isLocked(new TypeError("database is locked")), true);
 * equal(isLocked(new Error("database is locked")), true);
 * equal(isLocked(new Error("no such table")), false);
 * equal(isLocked("database is locked"), false);
 * ```
 */
export function isLocked(error: unknown): boolean {
  return error instanceof Error &&
    /database is locked|database table is locked/.test(error.message);
}
