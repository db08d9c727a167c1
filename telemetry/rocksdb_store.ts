/**
 * The RocksDB {@linkcode TelemetryStore} (`[telemetry] type = "rocksdb"`, the default), embedded
 * under `[telemetry] path`. Keys carry an inverted millisecond timestamp, so an ascending scan
 * yields the newest records first and a `limit` keeps the newest (the original kept the oldest,
 * docs/compatibility.md#trace-records). Retention deletes whole key ranges of all three signals.
 *
 * Layout: one database per kind of key, in sub-directories, so each holds keys of one prefix only:
 * `traces` (`t|<inv>|<id>` trace JSON), `trace-index` (`ti|<id>` its time key, `tp|<parent>|<inv>|<id>`
 * child index), `logs` (`l|<inv>|<seq>` log JSON), `log-index` (`lt|<trace>|<inv>|<seq>` its time
 * key) and `samples` (`m|<inv>|<seq>` sample JSON). A flush of new records then lies before every
 * older key of its database, and RocksDB moves the flushed file down the levels without rewriting
 * it. In one shared database the newest keys of each prefix fell between older ones, and under load
 * its compaction rewrote each request's records many times over (bench/http_bench.ts: 14 us of
 * compaction thread per request, 3.8 us with one prefix per database). A directory in the earlier
 * single-database layout is opened as it is.
 *
 * @module
 */

import { join } from "node:path";
import type { LogEntry, MetricSample, TraceRecord } from "./model.ts";
import { type RocksAction, RocksDb, type RocksOp } from "../internal/rocksdb/mod.ts";
import { TelemetryError } from "./errors.ts";
import {
  DEFAULT_LIMIT,
  DEFAULT_SAMPLE_LIMIT,
  logMatches,
  type LogQuery,
  type SampleQuery,
  type TelemetryStore,
  traceMatches,
  type TraceQuery,
} from "./store.ts";

const MAX_MS = 9_999_999_999_999;
/** The character after the `|` separator: the exclusive end of a prefix range. */
const END = "}";

/** Options of {@linkcode openRocksdbStore}. */
export interface RocksdbStoreOptions {
  /** The database directory (created when missing). */
  path: string;
}

/** The databases of the store by the keys they hold (see the module's layout). */
interface Databases {
  traces: RocksDb;
  traceIndex: RocksDb;
  logs: RocksDb;
  logIndex: RocksDb;
  samples: RocksDb;
}

/** Sub-directory of each database. */
const DIRECTORIES: Record<keyof Databases, string> = {
  traces: "traces",
  traceIndex: "trace-index",
  logs: "logs",
  logIndex: "log-index",
  samples: "samples",
};

/** Opens a RocksDB store.
 *
 * @param options the directory
 * @returns the open store
 * @throws {TelemetryError} when the database cannot be opened (locked by another process)
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { openRocksdbStore } from "./rocksdb_store.ts";
 *
 * const path = await Deno.makeTempDir();
 * const store = await openRocksdbStore({ path });
 * assertEquals(await store.queryTraces(), []);
 * await store.close();
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function openRocksdbStore(options: RocksdbStoreOptions): Promise<TelemetryStore> {
  return new RocksdbStore(await openDatabases(options.path));
}

function openRocks(path: string): Promise<RocksDb> {
  return RocksDb.open(path, { describeError: (error, action) => describe(error, action, path) });
}

function describe(error: unknown, action: RocksAction, path: string): TelemetryError {
  // npm:rocksdb gives no error code: a held LOCK file is told only by its message.
  const hint = action === "open" && /lock/i.test(String(error))
    ? " (another process has it open: give each instance its own [telemetry] path, for " +
      "example ROHAS_TELEMETRY_PATH=.rohas/telemetry-2)"
    : "";
  return new TelemetryError(
    `Cannot ${action} the telemetry database "${path}": ${String(error)}${hint}`,
    { cause: error },
  );
}

async function openDatabases(path: string): Promise<Databases> {
  if (await isSingleDatabase(path)) {
    const db = await openRocks(path);
    return { traces: db, traceIndex: db, logs: db, logIndex: db, samples: db };
  }
  const opened: RocksDb[] = [];
  try {
    for (const role of Object.keys(DIRECTORIES) as (keyof Databases)[]) {
      opened.push(await openRocks(join(path, DIRECTORIES[role])));
    }
  } catch (error) {
    for (const db of opened) await db.close().catch(() => {});
    throw error;
  }
  const [traces, traceIndex, logs, logIndex, samples] = opened as [
    RocksDb,
    RocksDb,
    RocksDb,
    RocksDb,
    RocksDb,
  ];
  return { traces, traceIndex, logs, logIndex, samples };
}

/** Whether `path` holds a database of the earlier single-database layout. */
async function isSingleDatabase(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(join(path, "CURRENT"))).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function inverted(ms: number): string {
  return String(MAX_MS - Math.max(0, Math.min(MAX_MS, Math.floor(ms)))).padStart(13, "0");
}

class RocksdbStore implements TelemetryStore {
  readonly type = "rocksdb";
  #dbs: Databases;
  #seq = 0;
  // Makes keys written in the same millisecond by two processes distinct.
  #salt = crypto.randomUUID().slice(0, 6);

  constructor(dbs: Databases) {
    this.#dbs = dbs;
  }

  #nextSeq(): string {
    // Inverted too, so later writes in the same millisecond sort first.
    this.#seq++;
    return `${String(1e10 - this.#seq).padStart(10, "0")}${this.#salt}`;
  }

  async writeTraces(traces: readonly TraceRecord[]): Promise<void> {
    const { traces: data, traceIndex: index } = this.#dbs;
    // A trace written again replaces its record: the time keys of earlier writes are read for the
    // whole batch in one call.
    const previous = await index.getMany(traces.map((t) => `ti|${t.id}`));
    const written = new Map<string, string>();
    const records: RocksOp[] = [];
    const keys: RocksOp[] = [];
    for (const [i, trace] of traces.entries()) {
      const earlier = written.get(trace.id) ?? previous[i];
      const inv = inverted(Date.parse(trace.started_at));
      const key = `t|${inv}|${trace.id}`;
      written.set(trace.id, key);
      if (earlier !== undefined && earlier !== key) {
        records.push({ type: "del", key: earlier });
        // Its child-index entry, under the start it had (a trace keeps its parent).
        if (trace.parent_id !== undefined) {
          keys.push({
            type: "del",
            key: `tp|${trace.parent_id}|${earlier.split("|")[1]}|${trace.id}`,
          });
        }
      }
      records.push({ type: "put", key, value: JSON.stringify(trace) });
      keys.push({ type: "put", key: `ti|${trace.id}`, value: key });
      if (trace.parent_id !== undefined) {
        keys.push({ type: "put", key: `tp|${trace.parent_id}|${inv}|${trace.id}`, value: key });
      }
    }
    // Records first: a crash between the two leaves a record without its index keys, never an
    // index key without its record.
    await data.batch(records);
    await index.batch(keys);
  }

  async writeLogs(logs: readonly LogEntry[]): Promise<void> {
    const records: RocksOp[] = [];
    const keys: RocksOp[] = [];
    for (const entry of logs) {
      const suffix = `${inverted(Date.parse(entry.timestamp) || 0)}|${this.#nextSeq()}`;
      records.push({ type: "put", key: `l|${suffix}`, value: JSON.stringify(entry) });
      if (entry.trace_id) {
        keys.push({ type: "put", key: `lt|${entry.trace_id}|${suffix}`, value: `l|${suffix}` });
      }
    }
    await this.#dbs.logs.batch(records);
    await this.#dbs.logIndex.batch(keys);
  }

  writeSamples(samples: readonly MetricSample[]): Promise<void> {
    return this.#dbs.samples.batch(samples.map((s) => ({
      type: "put" as const,
      key: `m|${inverted(Date.parse(s.timestamp) || 0)}|${this.#nextSeq()}`,
      value: JSON.stringify(s),
    })));
  }

  async queryTraces(query: TraceQuery = {}): Promise<TraceRecord[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const out: TraceRecord[] = [];
    const sinceMs = query.since?.getTime();
    for await (const trace of this.#tracesNewestFirst(query)) {
      if (sinceMs !== undefined && Date.parse(trace.started_at) < sinceMs) break;
      if (traceMatches(trace, query)) out.push(trace);
      if (out.length >= limit) break;
    }
    return out;
  }

  async *#tracesNewestFirst(query: TraceQuery): AsyncGenerator<TraceRecord> {
    const { traces: data, traceIndex: index } = this.#dbs;
    const from = query.until ? inverted(query.until.getTime() - 1) : "";
    if (query.parentId === undefined) {
      for await (const [, value] of data.scan({ gte: `t|${from}`, lt: `t${END}` })) {
        yield JSON.parse(value);
      }
      return;
    }
    const prefix = `tp|${query.parentId}|`;
    for await (const [, key] of index.scan({ gte: prefix + from, lt: prefix.slice(0, -1) + END })) {
      const value = await data.get(key);
      if (value) yield JSON.parse(value);
    }
  }

  async getTrace(id: string): Promise<TraceRecord | undefined> {
    const key = await this.#dbs.traceIndex.get(`ti|${id}`);
    const value = key && await this.#dbs.traces.get(key);
    return value ? JSON.parse(value) : undefined;
  }

  async queryLogs(query: LogQuery = {}): Promise<LogEntry[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const out: LogEntry[] = [];
    const { logs: data, logIndex: index } = this.#dbs;
    const scan = query.traceId === undefined
      ? data.scan({ gte: "l|", lt: `l${END}` })
      : index.scan({ gte: `lt|${query.traceId}|`, lt: `lt|${query.traceId}${END}` });
    for await (const [, value] of scan) {
      const json = query.traceId === undefined ? value : await data.get(value);
      if (!json) continue;
      const entry: LogEntry = JSON.parse(json);
      if (query.after !== undefined && entry.timestamp <= query.after) break;
      if (logMatches(entry, query)) out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  async querySamples(query: SampleQuery = {}): Promise<MetricSample[]> {
    const limit = query.limit ?? DEFAULT_SAMPLE_LIMIT;
    const end = query.since ? `m|${inverted(query.since.getTime())}|${END}` : `m${END}`;
    const out: MetricSample[] = [];
    for await (const [, value] of this.#dbs.samples.scan({ gte: "m|", lt: end })) {
      const sample: MetricSample = JSON.parse(value);
      if (query.name === undefined || sample.name === query.name) out.push(sample);
      if (out.length >= limit) break;
    }
    return out;
  }

  async prune(cutoff: Date): Promise<number> {
    // Records strictly older than the cutoff have a larger inverted timestamp.
    const first = inverted(cutoff.getTime() - 1);
    const { traces, traceIndex, logs, logIndex, samples } = this.#dbs;
    return await this.#pruneRange(traces, traceIndex, { prefix: "t", first }) +
      await this.#pruneRange(logs, logIndex, { prefix: "l", first }) +
      await this.#pruneRange(samples, samples, { prefix: "m", first });
  }

  /** Deletes the records of one signal from `first` on, with their index keys. */
  async #pruneRange(
    data: RocksDb,
    index: RocksDb,
    range: { prefix: "t" | "l" | "m"; first: string },
  ): Promise<number> {
    const { prefix, first } = range;
    let deleted = 0;
    let records: RocksOp[] = [];
    let keys: RocksOp[] = [];
    const write = async () => {
      await index.batch(keys);
      await data.batch(records);
      [records, keys] = [[], []];
    };
    for await (const [key, value] of data.scan({ gte: `${prefix}|${first}`, lt: prefix + END })) {
      records.push({ type: "del", key });
      keys.push(...indexKeys(prefix, key, value));
      deleted++;
      if (records.length >= 1000) await write();
    }
    await write();
    return deleted;
  }

  async close(): Promise<void> {
    for (const db of new Set(Object.values(this.#dbs))) await db.close();
  }
}

/** The index keys of a record about to be deleted. */
function indexKeys(prefix: string, key: string, value: string): RocksOp[] {
  if (prefix === "t") {
    const trace: TraceRecord = JSON.parse(value);
    const [, inv] = key.split("|");
    const ops: RocksOp[] = [{ type: "del", key: `ti|${trace.id}` }];
    if (trace.parent_id !== undefined) {
      ops.push({ type: "del", key: `tp|${trace.parent_id}|${inv}|${trace.id}` });
    }
    return ops;
  }
  if (prefix === "l") {
    const entry: LogEntry = JSON.parse(value);
    if (entry.trace_id) return [{ type: "del", key: `lt|${entry.trace_id}|${key.slice(2)}` }];
  }
  return [];
}
