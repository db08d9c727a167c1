/**
 * The boundary every `[state]` backend implements, and {@linkcode kvOver}, which turns a backend
 * into the {@linkcode Kv} handlers see: it checks keys and values once, so backends get only
 * well-formed keys and JSON-encodable values, and it builds atomic operations.
 *
 * @module
 */

import { checkKey } from "./_keys.ts";
import { KvInputError } from "./errors.ts";
import {
  type Kv,
  type KvAtomic,
  type KvCheck,
  type KvCommitResult,
  type KvEntry,
  type KvEntryMaybe,
  type KvKey,
  type KvMutation,
  MAX_VALUE_BYTES,
} from "./kv.ts";

/** An entry as a backend returns it. */
export interface StoredEntry {
  /** The key. */
  key: KvKey;
  /** The decoded JSON value. */
  value: unknown;
  /** Its versionstamp ({@linkcode versionstampOf}). */
  versionstamp: string;
}

/** What {@linkcode KvBackend.list} is asked for. */
export interface KvListQuery {
  /** Entries below this prefix, the prefix itself excluded. */
  prefix: KvKey;
  /** At most this many; undefined: all. */
  limit: number | undefined;
  /** Greatest key first. */
  reverse: boolean;
  /** Only entries after this key in the listing's order (a key already returned); null: from the start. */
  after: KvKey | null;
}

/** A `[state]` backend: one conformance suite (`state/conformance.ts`) every backend passes. */
export interface KvBackend {
  /** The `[state] type` it serves, such as `postgres`. */
  readonly type: string;
  /** One live entry (expired entries are absent), or null. */
  get(key: KvKey): Promise<StoredEntry | null>;
  /** Live entries below a prefix, in key order ({@linkcode compareKeys}). */
  list(query: KvListQuery): AsyncIterable<StoredEntry>;
  /**
   * Writes every mutation if every check holds (an expired key counts as absent), else nothing.
   * Values are JSON-encodable (checked by {@linkcode kvOver}).
   */
  commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<KvCommitResult>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}

/** A {@linkcode Kv} that can be closed by whoever opened it. */
export interface OwnedKv extends Kv {
  /** Closes the backend. */
  close(): Promise<void>;
}

/**
 * A 20-character versionstamp from a counter that grows with every commit, so versionstamps of
 * one store compare as text in commit order.
 *
 * @param counter the commit counter (a sequence value, a stream revision)
 * @returns the counter as 20 hex digits
 */
export function versionstampOf(counter: number | bigint): string {
  return BigInt(counter).toString(16).padStart(20, "0");
}

/**
 * The checked {@linkcode Kv} over a backend.
 *
 * @param backend the backend
 * @returns the store handlers see, and its `close()`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createMemoryKvBackend, kvOver } from "./mod.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * await kv.set(["tasks", 1], { title: "Write docs" });
 * assertEquals((await kv.get(["tasks", 1])).value, { title: "Write docs" });
 * await kv.close();
 * ```
 */
export function kvOver(backend: KvBackend): OwnedKv {
  const commit = (checks: KvCheck[], mutations: KvMutation[]) => backend.commit(checks, mutations);
  return {
    type: backend.type,
    async get<T>(key: KvKey): Promise<KvEntryMaybe<T>> {
      checkKey(key);
      const entry = await backend.get(key);
      return entry === null
        ? { key, value: null, versionstamp: null }
        : { key, value: entry.value as T, versionstamp: entry.versionstamp };
    },
    async set(key, value, options) {
      const result = await commit([], [setMutation(key, value, options?.expireIn)]);
      if (!result.ok) {
        throw new KvInputError("Cannot set: the backend refused an unconditional write");
      }
      return result;
    },
    async delete(key) {
      checkKey(key);
      await commit([], [{ type: "delete", key }]);
    },
    list<T>(selector: { prefix: KvKey }, options: { limit?: number; reverse?: boolean } = {}) {
      checkKey(selector.prefix, { allowEmpty: true });
      const limit = options.limit;
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
        throw new KvInputError(`Invalid limit ${limit}: expected an integer from 0`);
      }
      const query = {
        prefix: selector.prefix,
        limit,
        reverse: options.reverse ?? false,
        after: null,
      };
      return entries<T>(backend.list(query));
    },
    atomic: () => atomic(commit),
    close: () => backend.close(),
  };
}

async function* entries<T>(source: AsyncIterable<StoredEntry>): AsyncIterableIterator<KvEntry<T>> {
  for await (const entry of source) yield { ...entry, value: entry.value as T };
}

function atomic(commit: (c: KvCheck[], m: KvMutation[]) => Promise<KvCommitResult>): KvAtomic {
  const checks: KvCheck[] = [];
  const mutations: KvMutation[] = [];
  const op: KvAtomic = {
    check(...more) {
      for (const check of more) {
        checkKey(check.key);
        if (check.versionstamp !== null && typeof check.versionstamp !== "string") {
          throw new KvInputError("Invalid check: versionstamp must be a string or null");
        }
        checks.push({ key: check.key, versionstamp: check.versionstamp });
      }
      return op;
    },
    set(key, value, options) {
      mutations.push(setMutation(key, value, options?.expireIn));
      return op;
    },
    delete(key) {
      checkKey(key);
      mutations.push({ type: "delete", key });
      return op;
    },
    commit: () => commit(checks, mutations),
  };
  return op;
}

/**
 * A checked `set` mutation (key, JSON value, expiry); shared with the owner's check of forwarded
 * requests (`host.ts`).
 *
 * @throws {KvInputError} when the key, value or expiry is not one `state.kv` can hold
 */
export function setMutation(key: KvKey, value: unknown, expireIn: number | undefined): KvMutation {
  checkKey(key);
  checkValue(value);
  if (expireIn === undefined) return { type: "set", key, value };
  if (!(Number.isFinite(expireIn) && expireIn > 0)) {
    throw new KvInputError(`Invalid expireIn ${expireIn}: expected milliseconds above 0`);
  }
  return { type: "set", key, value, expireIn };
}

function checkValue(value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new KvInputError(`Invalid value: not JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new KvInputError(`Invalid value: ${typeof value} is not JSON`);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_VALUE_BYTES) {
    throw new KvInputError(`Invalid value: ${bytes} bytes of JSON, at most ${MAX_VALUE_BYTES}`);
  }
}
