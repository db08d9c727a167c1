/**
 * The `postgres` `[state]` backend: one table (`rohas_state`) in a PostgreSQL database every
 * instance reaches, rows keyed by namespace (the project's name) and the key's order-preserving
 * text (`state/_keys.ts`, compared bytewise with `COLLATE "C"`, so `ORDER BY key` is key order).
 *
 * A commit is one transaction: it takes a transaction-scoped advisory lock per key (in key order,
 * so two commits never deadlock), reads the checked keys, and writes only if each check holds.
 * Versionstamps come from one sequence. Expired rows are hidden at once and deleted when written.
 *
 * @module
 */

import postgres from "postgres";
import { decodeKey, encodeKey } from "./_keys.ts";
import { type KvBackend, type KvListQuery, type StoredEntry, versionstampOf } from "./backend.ts";
import { StateError } from "./errors.ts";
import type { KvCheck, KvCommitResult, KvKey, KvMutation } from "./kv.ts";

/** Options of {@linkcode openPostgresKvBackend}. */
export interface PostgresKvBackendOptions {
  /** A connection URL, like `postgres://user@127.0.0.1:5432/app`. */
  url: string;
  /** Rows of this namespace only: the project's name. */
  namespace: string;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

type Sql = ReturnType<typeof postgres>;

/** Rows read per round trip while listing. */
const LIST_BATCH = 500;

/**
 * Connects and creates the table and sequence if they do not exist.
 *
 * @param options database and namespace
 * @returns the backend
 * @throws {StateError} when the database cannot be reached
 */
export async function openPostgresKvBackend(options: PostgresKvBackendOptions): Promise<KvBackend> {
  const sql = postgres(options.url, { max: 4, onnotice: () => {}, idle_timeout: 0 });
  try {
    await sql.begin(async (tx) => {
      // Two instances starting at once would race on CREATE ... IF NOT EXISTS.
      await tx`SELECT pg_advisory_xact_lock(hashtext('rohas_state schema'))`;
      await tx`CREATE TABLE IF NOT EXISTS rohas_state (
        namespace text NOT NULL,
        key text COLLATE "C" NOT NULL,
        value text NOT NULL,
        versionstamp bigint NOT NULL,
        expires_at bigint,
        PRIMARY KEY (namespace, key))`;
      await tx`CREATE SEQUENCE IF NOT EXISTS rohas_state_version`;
    });
  } catch (error) {
    await sql.end();
    throw new StateError(`Cannot open the PostgreSQL state table: ${String(error)}`, {
      cause: error,
    });
  }
  return new PostgresKvBackend(sql, options.namespace, options.now ?? Date.now);
}

class PostgresKvBackend implements KvBackend {
  readonly type = "postgres";
  readonly #sql: Sql;
  readonly #ns: string;
  readonly #now: () => number;

  constructor(sql: Sql, namespace: string, now: () => number) {
    this.#sql = sql;
    this.#ns = namespace;
    this.#now = now;
  }

  async get(key: KvKey): Promise<StoredEntry | null> {
    const rows = await this.#sql`SELECT value, versionstamp FROM rohas_state
      WHERE namespace = ${this.#ns} AND key = ${encodeKey(key)}
        AND (expires_at IS NULL OR expires_at > ${this.#now()})`;
    const row = rows[0];
    return row
      ? {
        key,
        value: JSON.parse(row.value),
        versionstamp: versionstampOf(BigInt(row.versionstamp)),
      }
      : null;
  }

  async *list(query: KvListQuery): AsyncIterable<StoredEntry> {
    const prefix = encodeKey(query.prefix);
    // Every key below the prefix starts with "<prefix>." and sorts before "<prefix>/"; pages
    // continue after (or, reversed, before) the last key of the previous one.
    const range = {
      low: prefix === "" ? "" : `${prefix}.`,
      lowOpen: false,
      high: prefix === "" ? null as string | null : `${prefix}/`,
    };
    if (query.after !== null && query.reverse) range.high = encodeKey(query.after);
    else if (query.after !== null) {
      Object.assign(range, { low: encodeKey(query.after), lowOpen: true });
    }
    let left = query.limit ?? Infinity;
    while (left > 0) {
      const rows = await this.#page(range, query.reverse, Math.min(left, LIST_BATCH));
      for (const row of rows) {
        yield {
          key: decodeKey(row.key),
          value: JSON.parse(row.value),
          versionstamp: versionstampOf(BigInt(row.versionstamp)),
        };
      }
      left -= rows.length;
      if (rows.length < LIST_BATCH) return;
      const last = rows.at(-1)!.key as string;
      if (query.reverse) range.high = last;
      else Object.assign(range, { low: last, lowOpen: true });
    }
  }

  commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<KvCommitResult> {
    const texts = [...new Set([...checks, ...mutations].map((item) => encodeKey(item.key)))].sort();
    return this.#sql.begin(async (tx) => {
      for (const text of texts) {
        await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`${this.#ns}/${text}`}, 0))`;
      }
      const now = this.#now();
      const current = new Map<string, string>();
      if (checks.length > 0) {
        const rows =
          await tx`SELECT key, versionstamp FROM rohas_state WHERE namespace = ${this.#ns}
          AND key IN ${tx(checks.map((c) => encodeKey(c.key)))}
          AND (expires_at IS NULL OR expires_at > ${now})`;
        for (const row of rows) current.set(row.key, versionstampOf(BigInt(row.versionstamp)));
      }
      if (checks.some((c) => (current.get(encodeKey(c.key)) ?? null) !== c.versionstamp)) {
        return { ok: false } as const;
      }
      // int8 arrives as text: exact, and passed back as text.
      const [row] = await tx`SELECT nextval('rohas_state_version')::text AS v`;
      const v = row!.v as string;
      for (const mutation of mutations) await this.#apply(tx, mutation, v, now);
      return { ok: true, versionstamp: versionstampOf(BigInt(v)) } as const;
    }) as Promise<KvCommitResult>;
  }

  async close(): Promise<void> {
    await this.#sql.end();
  }

  #page(
    range: { low: string; lowOpen: boolean; high: string | null },
    reverse: boolean,
    limit: number,
  ) {
    const sql = this.#sql;
    const low = range.lowOpen ? sql`key > ${range.low}` : sql`key >= ${range.low}`;
    const high = range.high === null ? sql`TRUE` : sql`key < ${range.high}`;
    return sql`SELECT key, value, versionstamp FROM rohas_state
      WHERE namespace = ${this.#ns} AND ${low} AND ${high}
        AND (expires_at IS NULL OR expires_at > ${this.#now()})
      ORDER BY key ${reverse ? sql`DESC` : sql`ASC`} LIMIT ${limit}`;
  }

  async #apply(
    tx: postgres.TransactionSql,
    mutation: KvMutation,
    v: string,
    now: number,
  ): Promise<void> {
    const key = encodeKey(mutation.key);
    if (mutation.type === "delete") {
      await tx`DELETE FROM rohas_state WHERE namespace = ${this.#ns} AND key = ${key}`;
      return;
    }
    const expires = mutation.expireIn === undefined ? null : now + mutation.expireIn;
    const value = JSON.stringify(mutation.value);
    await tx`INSERT INTO rohas_state (namespace, key, value, versionstamp, expires_at)
      VALUES (${this.#ns}, ${key}, ${value}, ${v}, ${expires})
      ON CONFLICT (namespace, key) DO UPDATE
        SET value = EXCLUDED.value, versionstamp = EXCLUDED.versionstamp, expires_at = EXCLUDED.expires_at`;
  }
}
