/**
 * The RocksDB {@linkcode TelemetryStore} (`[telemetry] type = "rocksdb"`, the default), embedded
 * under `[telemetry] path`. Keys carry an inverted millisecond timestamp, so an ascending scan
 * yields the newest records first and a `limit` keeps the newest (the original kept the oldest,
 * SPEC.md 7.1). Retention deletes whole key ranges of all three signals.
 *
 * Layout: `t|<inv>|<id>` trace JSON; `ti|<id>` its time key; `tp|<parent>|<inv>|<id>` child index;
 * `l|<inv>|<seq>` log JSON; `lt|<trace>|<inv>|<seq>` its time key; `m|<inv>|<seq>` sample JSON.
 *
 * @module
 */

import type { LogEntry, MetricSample, TraceRecord } from "./model.ts";
import { Rocks, type RocksOp } from "./_rocks.ts";
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

/** Opens a RocksDB store.
 *
 * @param options the directory
 * @returns the open store
 * @throws {TelemetryError} when the database cannot be opened (locked by another process)
 * @example
 * ```ts ignore
 * const store = await openRocksdbStore({ path: ".rohas/telemetry" });
 * await store.close();
 * ```
 */
export async function openRocksdbStore(options: RocksdbStoreOptions): Promise<TelemetryStore> {
  return new RocksdbStore(await Rocks.open(options.path));
}

function inverted(ms: number): string {
  return String(MAX_MS - Math.max(0, Math.min(MAX_MS, Math.floor(ms)))).padStart(13, "0");
}

class RocksdbStore implements TelemetryStore {
  readonly type = "rocksdb";
  #db: Rocks;
  #seq = 0;
  // Makes keys written in the same millisecond by two processes distinct.
  #salt = crypto.randomUUID().slice(0, 6);

  constructor(db: Rocks) {
    this.#db = db;
  }

  #nextSeq(): string {
    // Inverted too, so later writes in the same millisecond sort first.
    this.#seq++;
    return `${String(1e10 - this.#seq).padStart(10, "0")}${this.#salt}`;
  }

  async writeTraces(traces: readonly TraceRecord[]): Promise<void> {
    const ops: RocksOp[] = [];
    for (const trace of traces) {
      const previous = await this.#db.get(`ti|${trace.id}`);
      if (previous) ops.push({ type: "del", key: previous });
      const inv = inverted(Date.parse(trace.started_at));
      const key = `t|${inv}|${trace.id}`;
      ops.push({ type: "put", key, value: JSON.stringify(trace) });
      ops.push({ type: "put", key: `ti|${trace.id}`, value: key });
      if (trace.parent_id !== undefined) {
        ops.push({ type: "put", key: `tp|${trace.parent_id}|${inv}|${trace.id}`, value: key });
      }
    }
    await this.#db.batch(ops);
  }

  writeLogs(logs: readonly LogEntry[]): Promise<void> {
    const ops: RocksOp[] = [];
    for (const entry of logs) {
      const suffix = `${inverted(Date.parse(entry.timestamp) || 0)}|${this.#nextSeq()}`;
      ops.push({ type: "put", key: `l|${suffix}`, value: JSON.stringify(entry) });
      if (entry.trace_id) {
        ops.push({ type: "put", key: `lt|${entry.trace_id}|${suffix}`, value: `l|${suffix}` });
      }
    }
    return this.#db.batch(ops);
  }

  writeSamples(samples: readonly MetricSample[]): Promise<void> {
    return this.#db.batch(samples.map((s) => ({
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
    const from = query.until ? inverted(query.until.getTime() - 1) : "";
    if (query.parentId === undefined) {
      for await (const [, value] of this.#db.scan({ gte: `t|${from}`, lt: `t${END}` })) {
        yield JSON.parse(value);
      }
      return;
    }
    const prefix = `tp|${query.parentId}|`;
    for await (
      const [, key] of this.#db.scan({ gte: prefix + from, lt: prefix.slice(0, -1) + END })
    ) {
      const value = await this.#db.get(key);
      if (value) yield JSON.parse(value);
    }
  }

  async getTrace(id: string): Promise<TraceRecord | undefined> {
    const key = await this.#db.get(`ti|${id}`);
    const value = key && await this.#db.get(key);
    return value ? JSON.parse(value) : undefined;
  }

  async queryLogs(query: LogQuery = {}): Promise<LogEntry[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const out: LogEntry[] = [];
    const range = query.traceId === undefined
      ? { gte: "l|", lt: `l${END}` }
      : { gte: `lt|${query.traceId}|`, lt: `lt|${query.traceId}${END}` };
    for await (const [, value] of this.#db.scan(range)) {
      const json = query.traceId === undefined ? value : await this.#db.get(value);
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
    for await (const [, value] of this.#db.scan({ gte: "m|", lt: end })) {
      const sample: MetricSample = JSON.parse(value);
      if (query.name === undefined || sample.name === query.name) out.push(sample);
      if (out.length >= limit) break;
    }
    return out;
  }

  async prune(cutoff: Date): Promise<number> {
    // Records strictly older than the cutoff have a larger inverted timestamp.
    const first = inverted(cutoff.getTime() - 1);
    let deleted = 0;
    for (const prefix of ["t", "l", "m"]) {
      const ops: RocksOp[] = [];
      for await (
        const [key, value] of this.#db.scan({ gte: `${prefix}|${first}`, lt: prefix + END })
      ) {
        ops.push({ type: "del", key }, ...this.#indexKeys(prefix, key, value));
        deleted++;
        if (ops.length >= 1000) await this.#db.batch(ops.splice(0));
      }
      await this.#db.batch(ops);
    }
    return deleted;
  }

  #indexKeys(prefix: string, key: string, value: string): RocksOp[] {
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

  close(): Promise<void> {
    return this.#db.close();
  }
}
