/**
 * The TimescaleDB / PostgreSQL {@linkcode TelemetryStore} (`[telemetry] type = "timescaledb"`):
 * three tables keyed by time, turned into hypertables when the `timescaledb` extension is
 * available, plain indexed tables otherwise (Debian's PostgreSQL). Written with `npm:postgres`.
 *
 * Settings (`[telemetry]` keys): `url` (default `postgres://postgres@127.0.0.1:5432/postgres`),
 * `table_prefix` (default `rohas_`).
 *
 * @module
 */

import postgres from "postgres";
import type { LogEntry, MetricSample, TraceRecord } from "./model.ts";
import { TelemetryError } from "./errors.ts";
import {
  DEFAULT_LIMIT,
  DEFAULT_SAMPLE_LIMIT,
  type LogQuery,
  type SampleQuery,
  type TelemetryStore,
  type TraceQuery,
} from "./store.ts";

type Sql = ReturnType<typeof postgres>;

/** Opens the store, creating its tables (and hypertables when the extension exists).
 *
 * @param settings `url`, `table_prefix`
 * @returns the store
 * @throws {TelemetryError} when the server cannot be reached or the tables cannot be made
 */
export async function openTimescaledbStore(
  settings: Record<string, string>,
): Promise<TelemetryStore> {
  const url = settings.url ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const prefix = settings.table_prefix ?? "rohas_";
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) {
    throw new TelemetryError(`Invalid [telemetry] table_prefix "${prefix}": use a-z, 0-9 and _`);
  }
  const sql = postgres(url, { max: 4, onnotice: () => {}, idle_timeout: 0 });
  try {
    const hyper = await sql.begin(async (tx) => {
      // Instances starting together would race on CREATE ... IF NOT EXISTS (a duplicate pg_type row).
      await tx`SELECT pg_advisory_xact_lock(hashtext(${`rohas telemetry schema ${prefix}`}))`;
      return await createTables(tx, prefix);
    });
    return new TimescaledbStore(sql, prefix, hyper);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new TelemetryError(
      `Cannot open the TimescaleDB store at "${redact(url)}" ([telemetry] url): ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

async function createTables(sql: postgres.TransactionSql, p: string): Promise<boolean> {
  await sql.unsafe(`
    CREATE TABLE IF NOT EXISTS ${p}traces (
      id text NOT NULL, started_at timestamptz NOT NULL, parent_id text, entry_type text NOT NULL,
      status text NOT NULL, record jsonb NOT NULL, PRIMARY KEY (id, started_at));
    CREATE INDEX IF NOT EXISTS ${p}traces_time ON ${p}traces (started_at DESC);
    CREATE INDEX IF NOT EXISTS ${p}traces_parent ON ${p}traces (parent_id, started_at DESC);
    CREATE TABLE IF NOT EXISTS ${p}logs (
      ts timestamptz NOT NULL, seq bigserial, level text NOT NULL, trace_id text, stamp text NOT NULL,
      entry jsonb NOT NULL);
    CREATE INDEX IF NOT EXISTS ${p}logs_time ON ${p}logs (ts DESC, seq DESC);
    CREATE INDEX IF NOT EXISTS ${p}logs_trace ON ${p}logs (trace_id);
    CREATE TABLE IF NOT EXISTS ${p}samples (
      ts timestamptz NOT NULL, seq bigserial, name text NOT NULL, sample jsonb NOT NULL);
    CREATE INDEX IF NOT EXISTS ${p}samples_time ON ${p}samples (ts DESC, seq DESC);
  `);
  const available = await sql`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`;
  if (available.length === 0) return false;
  await sql.unsafe(`CREATE EXTENSION IF NOT EXISTS timescaledb`);
  for (const [table, column] of [["traces", "started_at"], ["logs", "ts"], ["samples", "ts"]]) {
    await sql.unsafe(
      `SELECT create_hypertable('${p}${table}', '${column}', if_not_exists => TRUE, migrate_data => TRUE)`,
    );
  }
  return true;
}

class TimescaledbStore implements TelemetryStore {
  readonly type = "timescaledb";
  /** Whether the tables are hypertables. */
  readonly hypertables: boolean;
  #sql: Sql;
  #p: string;

  constructor(sql: Sql, prefix: string, hypertables: boolean) {
    this.#sql = sql;
    this.#p = prefix;
    this.hypertables = hypertables;
  }

  async writeTraces(traces: readonly TraceRecord[]): Promise<void> {
    if (traces.length === 0) return;
    const rows = traces.map((t) => ({
      id: t.id,
      started_at: t.started_at,
      parent_id: t.parent_id ?? null,
      entry_type: t.entry_type,
      status: t.status,
      record: JSON.stringify(t),
    }));
    await this.#sql.unsafe(
      `INSERT INTO ${this.#p}traces (id, started_at, parent_id, entry_type, status, record)
       SELECT r.id, r.started_at::timestamptz, r.parent_id, r.entry_type, r.status, r.record::jsonb
       FROM json_to_recordset($1::text::json) AS r(id text, started_at text, parent_id text,
         entry_type text, status text, record text)
       ON CONFLICT (id, started_at) DO UPDATE SET status = EXCLUDED.status, record = EXCLUDED.record`,
      [JSON.stringify(rows)],
    );
  }

  async writeLogs(logs: readonly LogEntry[]): Promise<void> {
    if (logs.length === 0) return;
    const rows = logs.map((l) => ({
      ts: l.timestamp,
      level: l.level,
      trace_id: l.trace_id ?? null,
      entry: JSON.stringify(l),
    }));
    await this.#sql.unsafe(
      `INSERT INTO ${this.#p}logs (ts, level, trace_id, stamp, entry)
       SELECT r.ts::timestamptz, r.level, r.trace_id, r.ts, r.entry::jsonb
       FROM json_to_recordset($1::text::json) AS r(ts text, level text, trace_id text, entry text)`,
      [JSON.stringify(rows)],
    );
  }

  async writeSamples(samples: readonly MetricSample[]): Promise<void> {
    if (samples.length === 0) return;
    const rows = samples.map((s) => ({ ts: s.timestamp, name: s.name, sample: JSON.stringify(s) }));
    await this.#sql.unsafe(
      `INSERT INTO ${this.#p}samples (ts, name, sample)
       SELECT r.ts::timestamptz, r.name, r.sample::jsonb
       FROM json_to_recordset($1::text::json) AS r(ts text, name text, sample text)`,
      [JSON.stringify(rows)],
    );
  }

  async queryTraces(query: TraceQuery = {}): Promise<TraceRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      args.push(value);
      where.push(clause.replace("?", `$${args.length}`));
    };
    if (query.parentId !== undefined) add("parent_id = ?", query.parentId);
    if (query.entryType !== undefined) add("entry_type = ?", query.entryType);
    if (query.status !== undefined) add("status = ?", query.status);
    if (query.since) add("started_at >= ?::timestamptz", query.since.toISOString());
    if (query.until) add("started_at < ?::timestamptz", query.until.toISOString());
    args.push(query.limit ?? DEFAULT_LIMIT);
    const rows = await this.#sql.unsafe(
      `SELECT record FROM ${this.#p}traces ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY started_at DESC, id DESC LIMIT $${args.length}`,
      args as never[],
    );
    return rows.map((r) => r.record as TraceRecord);
  }

  async getTrace(id: string): Promise<TraceRecord | undefined> {
    const rows = await this.#sql.unsafe(
      `SELECT record FROM ${this.#p}traces WHERE id = $1 LIMIT 1`,
      [id],
    );
    return rows[0]?.record as TraceRecord | undefined;
  }

  async queryLogs(query: LogQuery = {}): Promise<LogEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      args.push(value);
      where.push(clause.replace("?", `$${args.length}`));
    };
    if (query.level !== undefined) add("level = ?", query.level);
    if (query.traceId !== undefined) add("trace_id = ?", query.traceId);
    if (query.after !== undefined) add("stamp > ?", query.after);
    args.push(query.limit ?? DEFAULT_LIMIT);
    const rows = await this.#sql.unsafe(
      `SELECT entry FROM ${this.#p}logs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY ts DESC, seq DESC LIMIT $${args.length}`,
      args as never[],
    );
    return rows.map((r) => r.entry as LogEntry);
  }

  async querySamples(query: SampleQuery = {}): Promise<MetricSample[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.name !== undefined) {
      args.push(query.name);
      where.push(`name = $${args.length}`);
    }
    if (query.since) {
      args.push(query.since.toISOString());
      where.push(`ts >= $${args.length}::timestamptz`);
    }
    args.push(query.limit ?? DEFAULT_SAMPLE_LIMIT);
    const rows = await this.#sql.unsafe(
      `SELECT sample FROM ${this.#p}samples ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY ts DESC, seq DESC LIMIT $${args.length}`,
      args as never[],
    );
    return rows.map((r) => r.sample as MetricSample);
  }

  async prune(cutoff: Date): Promise<number> {
    const at = cutoff.toISOString();
    let count = 0;
    for (const [table, column] of [["traces", "started_at"], ["logs", "ts"], ["samples", "ts"]]) {
      const result = await this.#sql.unsafe(
        `DELETE FROM ${this.#p}${table} WHERE ${column} < $1::timestamptz`,
        [at],
      );
      count += result.count;
    }
    return count;
  }

  close(): Promise<void> {
    return this.#sql.end({ timeout: 5 });
  }
}
