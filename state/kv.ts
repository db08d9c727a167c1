/**
 * `state.kv`: state shared by every isolate, process and instance of one app, shaped like Deno KV
 * so a Deno user is at home. Module variables live per isolate (each Worker, edge process and
 * instance has its own copy); what must be seen by every handler goes here.
 *
 * Keys are arrays of strings and numbers, ordered part by part (strings before numbers, a key
 * before the keys it prefixes). Values are JSON (what every backend and the Python runtime can
 * hold), at most {@linkcode MAX_VALUE_BYTES} encoded. Every write gets a versionstamp, a
 * 20-character string that grows with every commit of the store; an atomic operation commits its
 * mutations only if each checked key still has the versionstamp it was read with (`null`: absent).
 *
 * @module
 */

/** One part of a key. */
export type KvKeyPart = string | number;

/** A key: one or more parts, like `["tasks", 42]`. */
export type KvKey = readonly KvKeyPart[];

/** A stored entry. */
export interface KvEntry<T> {
  /** The key. */
  key: KvKey;
  /** The value. */
  value: T;
  /** The version of this value: grows with every commit of the store. */
  versionstamp: string;
}

/** What {@linkcode Kv.get} returns: the entry, or `null` value and versionstamp when absent. */
export type KvEntryMaybe<T> = KvEntry<T> | { key: KvKey; value: null; versionstamp: null };

/** Options of {@linkcode Kv.set}. */
export interface KvSetOptions {
  /** Milliseconds after which the entry reads as absent. Default: never. */
  expireIn?: number;
}

/** Options of {@linkcode Kv.list}. */
export interface KvListOptions {
  /** At most this many entries. Default: all. */
  limit?: number;
  /** Greatest key first. Default false. */
  reverse?: boolean;
}

/** A condition of an atomic operation: the key has this versionstamp (`null`: is absent). */
export interface KvCheck {
  /** The key. */
  key: KvKey;
  /** The versionstamp it was read with, `null` when it was absent. */
  versionstamp: string | null;
}

/** One write of an atomic operation. */
export type KvMutation =
  | { type: "set"; key: KvKey; value: unknown; expireIn?: number }
  | { type: "delete"; key: KvKey };

/** The outcome of a commit: `ok: false` when a check failed (nothing was written). */
export type KvCommitResult = { ok: true; versionstamp: string } | { ok: false };

/** The largest value, JSON-encoded, in bytes (Deno KV's own limit, the same on every backend). */
export const MAX_VALUE_BYTES = 65_536;

/** The shared key-value store handlers see as `state.kv`. */
export interface Kv {
  /** The backend's `[state] type`, such as `denokv` or `postgres`. */
  readonly type: string;
  /** Reads one key. */
  get<T = unknown>(key: KvKey): Promise<KvEntryMaybe<T>>;
  /** Writes one key. */
  set(
    key: KvKey,
    value: unknown,
    options?: KvSetOptions,
  ): Promise<{ ok: true; versionstamp: string }>;
  /** Removes one key (absent keys are fine). */
  delete(key: KvKey): Promise<void>;
  /** The entries whose key starts with `prefix` (the prefix itself excluded), in key order. */
  list<T = unknown>(
    selector: { prefix: KvKey },
    options?: KvListOptions,
  ): AsyncIterableIterator<KvEntry<T>>;
  /** An atomic operation: checks, then writes, all or nothing. */
  atomic(): KvAtomic;
}

/** An atomic operation being built; {@linkcode KvAtomic.commit} runs it. */
export interface KvAtomic {
  /** Adds conditions. */
  check(...checks: KvCheck[]): KvAtomic;
  /** Adds a write. */
  set(key: KvKey, value: unknown, options?: KvSetOptions): KvAtomic;
  /** Adds a removal. */
  delete(key: KvKey): KvAtomic;
  /** Commits: every write, or none when a check fails. */
  commit(): Promise<KvCommitResult>;
}
