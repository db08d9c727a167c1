/**
 * The `denokv` `[state]` backend: Deno KV on a local file (the default: every process of one machine
 * opens the same file, and SQLite serialises their commits), or a remote Deno KV (Deno Deploy's, or
 * a self-hosted `denokv` server) by URL.
 *
 * Values are stored as `{ v, e? }` with the expiry time `e`: Deno KV deletes expired keys only
 * eventually (on a local file they stay readable for seconds), so the backend hides them itself, and
 * an atomic check for "absent" passes over an expired key by checking its exact versionstamp.
 *
 * @module
 */

import type { KvBackend, StoredEntry } from "./backend.ts";
import { whileLocked } from "../internal/denokv/mod.ts";
import { compareKeys } from "./_keys.ts";
import { StateError } from "./errors.ts";
import type { KvCheck, KvCommitResult, KvKey, KvMutation } from "./kv.ts";

/** Options of {@linkcode openDenoKvBackend}. */
export interface DenoKvBackendOptions {
  /** A file path, or an `http(s)://` URL of a remote Deno KV; undefined: Deno Deploy's own KV. */
  path: string | undefined;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** How long to retry an open that finds the file locked by another process. Default 5000. */
  openTimeoutMs?: number;
}

interface Stored {
  v: unknown;
  e?: number;
}

/**
 * Opens Deno KV as a state backend.
 *
 * @param options where the database is
 * @returns the backend
 * @throws {StateError} when the database cannot be opened
 */
export async function openDenoKvBackend(options: DenoKvBackendOptions): Promise<KvBackend> {
  const kv = await openWithRetry(options.path, options.openTimeoutMs ?? 5_000);
  const now = options.now ?? Date.now;
  const live = (entry: Deno.KvEntryMaybe<Stored>) =>
    entry.versionstamp !== null && isStored(entry.value) &&
    (entry.value.e === undefined || entry.value.e > now());
  return {
    type: "denokv",
    async get(key) {
      const entry = await whileLocked(() => kv.get<Stored>(key as Deno.KvKey));
      return live(entry) ? stored(key, entry as Deno.KvEntry<Stored>) : null;
    },
    async *list({ prefix, limit, reverse, after }) {
      let left = limit ?? Infinity;
      if (left <= 0) return;
      for await (const entry of kv.list<Stored>(selector(prefix, reverse, after), { reverse })) {
        if (!live(entry) || (after !== null && compareKeys(entry.key as KvKey, after) === 0)) {
          continue;
        }
        yield stored(entry.key as KvKey, entry);
        if (--left <= 0) return;
      }
    },
    async commit(checks, mutations) {
      const result = await whileLocked(async () => {
        const op = kv.atomic();
        for (const check of await resolveChecks(kv, checks, live)) op.check(check);
        for (const mutation of mutations) apply(op, mutation, now);
        return await op.commit();
      });
      return result.ok
        ? { ok: true, versionstamp: result.versionstamp }
        : { ok: false } as KvCommitResult;
    },
    close: () => Promise.resolve(kv.close()),
  };
}

/** The prefix, narrowed to the keys after `after` in the listing's order (`start` includes it). */
function selector(prefix: KvKey, reverse: boolean, after: KvKey | null): Deno.KvListSelector {
  const p = prefix as Deno.KvKey;
  if (after === null) return { prefix: p };
  return reverse
    ? { prefix: p, end: after as Deno.KvKey }
    : { prefix: p, start: after as Deno.KvKey };
}

/** Checks for "absent" that meet an expired entry check its exact versionstamp instead. */
async function resolveChecks(
  kv: Deno.Kv,
  checks: readonly KvCheck[],
  live: (entry: Deno.KvEntryMaybe<Stored>) => boolean,
): Promise<Deno.AtomicCheck[]> {
  const absent = checks.filter((c) => c.versionstamp === null);
  const current = absent.length === 0
    ? []
    : await kv.getMany<Stored[]>(absent.map((c) => c.key as Deno.KvKey));
  return checks.map((check) => {
    if (check.versionstamp !== null) return check as Deno.AtomicCheck;
    const entry = current[absent.indexOf(check)]!;
    const stale = entry.versionstamp !== null && !live(entry);
    return { key: check.key as Deno.KvKey, versionstamp: stale ? entry.versionstamp : null };
  });
}

function apply(op: Deno.AtomicOperation, mutation: KvMutation, now: () => number): void {
  const key = mutation.key as Deno.KvKey;
  if (mutation.type === "delete") {
    op.delete(key);
  } else if (mutation.expireIn === undefined) {
    op.set(key, { v: mutation.value });
  } else {
    op.set(key, { v: mutation.value, e: now() + mutation.expireIn }, {
      expireIn: mutation.expireIn,
    });
  }
}

function stored(key: KvKey, entry: Deno.KvEntry<Stored>): StoredEntry {
  return { key, value: entry.value.v, versionstamp: entry.versionstamp };
}

function isStored(value: unknown): value is Stored {
  return typeof value === "object" && value !== null && "v" in value;
}

async function openWithRetry(path: string | undefined, timeoutMs: number): Promise<Deno.Kv> {
  try {
    return await whileLocked(() => Deno.openKv(path), timeoutMs);
  } catch (error) {
    const where = JSON.stringify(path ?? "(Deno Deploy KV)");
    throw new StateError(`Cannot open the state store ${where}: ${String(error)}`, {
      cause: error,
    });
  }
}
