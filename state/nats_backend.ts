/**
 * The `nats` `[state]` backend: a JetStream key-value bucket (`rohas_state_<namespace>`), shared by
 * every instance connected to the server.
 *
 * An atomic operation is one compare-and-set on the subject of one key (JetStream's expected last
 * subject sequence), so atomic operations here cover one key; several keys are refused with
 * {@linkcode KvUnsupportedError} rather than committed one by one. Keys are stored as their
 * order-preserving text (`state/_keys.ts`), values as `{ v, e? }` JSON with the expiry time (the
 * server this targets has no per-key TTL), hidden once expired.
 *
 * @module
 */

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { type KV, type KvEntry, Kvm } from "@nats-io/kv";
import { compareKeys, decodeKey, encodeKey } from "./_keys.ts";
import { type KvBackend, type KvListQuery, type StoredEntry, versionstampOf } from "./backend.ts";
import { KvUnsupportedError, StateError } from "./errors.ts";
import type { KvCheck, KvCommitResult, KvKey, KvMutation } from "./kv.ts";

/** Options of {@linkcode openNatsKvBackend}. */
export interface NatsKvBackendOptions {
  /** The server, like `nats://127.0.0.1:4222`. */
  url: string;
  /** Names the bucket `rohas_state_<namespace>`: the project's name. */
  namespace: string;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

interface Stored {
  v: unknown;
  e?: number;
}

/**
 * Connects to NATS and opens (creating if needed) the project's state bucket.
 *
 * @param options server and namespace
 * @returns the backend
 * @throws {StateError} when the server cannot be reached or the bucket opened
 */
export async function openNatsKvBackend(options: NatsKvBackendOptions): Promise<KvBackend> {
  const bucket = `rohas_state_${options.namespace.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  let nc: NatsConnection | null = null;
  try {
    nc = await connect({ servers: options.url, name: bucket });
    const kv = await createBucket(new Kvm(nc), bucket);
    return new NatsKvBackend(nc, kv, options.now ?? Date.now);
  } catch (error) {
    await nc?.close();
    throw new StateError(
      `Cannot open the NATS state bucket "${bucket}" at ${options.url}: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Opens the bucket, creating it when missing. Instances starting together may all find it missing
 * and all create it; the server then refuses all but one ("subjects overlap with an existing
 * stream"), and the others open the one created.
 */
async function createBucket(kvm: Kvm, bucket: string): Promise<KV> {
  for (let attempt = 1;; attempt++) {
    try {
      return await kvm.create(bucket, { history: 1 });
    } catch (error) {
      if (attempt === CREATE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

const CREATE_ATTEMPTS = 4;

class NatsKvBackend implements KvBackend {
  readonly type = "nats";
  readonly #nc: NatsConnection;
  readonly #kv: KV;
  readonly #now: () => number;

  constructor(nc: NatsConnection, kv: KV, now: () => number) {
    this.#nc = nc;
    this.#kv = kv;
    this.#now = now;
  }

  async get(key: KvKey): Promise<StoredEntry | null> {
    return this.#live(key, await this.#kv.get(encodeKey(key)));
  }

  async *list(query: KvListQuery) {
    const filter = query.prefix.length === 0 ? ">" : `${encodeKey(query.prefix)}.>`;
    const keys: KvKey[] = [];
    for await (const text of await this.#kv.keys(filter)) keys.push(decodeKey(text));
    keys.sort(compareKeys);
    if (query.reverse) keys.reverse();
    const direction = query.reverse ? -1 : 1;
    const after = query.after;
    const rest = after === null
      ? keys
      : keys.filter((key) => compareKeys(key, after) * direction > 0);
    let left = query.limit ?? Infinity;
    for (const key of rest) {
      if (left <= 0) return;
      const entry = await this.get(key);
      if (entry === null) continue;
      left--;
      yield entry;
    }
  }

  async commit(
    checks: readonly KvCheck[],
    mutations: readonly KvMutation[],
  ): Promise<KvCommitResult> {
    const texts = new Set([...checks, ...mutations].map((item) => encodeKey(item.key)));
    if (texts.size > 1) {
      throw new KvUnsupportedError(
        `Cannot commit an atomic operation over ${texts.size} keys on the "nats" state backend: ` +
          "it compares and sets one key at a time; use one key (for example one document) or the " +
          '"postgres" or "denokv" backend',
      );
    }
    const [text] = texts;
    if (text === undefined) return { ok: true, versionstamp: versionstampOf(0) };
    const raw = await this.#kv.get(text);
    const current = this.#live(decodeKey(text), raw)?.versionstamp ?? null;
    if (checks.some((check) => check.versionstamp !== current)) return { ok: false };
    const last = mutations.at(-1);
    if (last === undefined) return { ok: true, versionstamp: current ?? versionstampOf(0) };
    // Conditional on the exact state read above (its revision, or no message at all: 0), so a
    // write in between makes this commit fail instead of overwriting it.
    const previousSeq = raw?.revision ?? 0;
    try {
      return {
        ok: true,
        versionstamp: versionstampOf(await this.#write(text, last, previousSeq, raw)),
      };
    } catch (error) {
      if (error instanceof JetStreamApiError && isWrongSequence(error.code)) return { ok: false };
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#nc.close();
  }

  async #write(
    text: string,
    mutation: KvMutation,
    previousSeq: number,
    raw: KvEntry | null,
  ): Promise<number> {
    if (mutation.type === "set") {
      const stored: Stored = mutation.expireIn === undefined
        ? { v: mutation.value }
        : { v: mutation.value, e: this.#now() + mutation.expireIn };
      return await this.#kv.put(text, JSON.stringify(stored), { previousSeq });
    }
    if (raw === null || raw.operation !== "PUT") return previousSeq;
    await this.#kv.delete(text, { previousSeq });
    return (await this.#kv.get(text))?.revision ?? previousSeq;
  }

  #live(key: KvKey, entry: KvEntry | null): StoredEntry | null {
    if (entry === null || entry.operation !== "PUT") return null;
    const stored = entry.json<Stored>();
    if (stored.e !== undefined && stored.e <= this.#now()) return null;
    return { key, value: stored.v, versionstamp: versionstampOf(entry.revision) };
  }
}

function isWrongSequence(code: number): boolean {
  return code === JetStreamApiCodes.StreamWrongLastSequence ||
    code === JetStreamApiCodes.StreamWrongLastSequenceUnknown;
}
