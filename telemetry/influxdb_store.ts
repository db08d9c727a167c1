/**
 * The InfluxDB {@linkcode TelemetryStore} (`[telemetry] type = "influxdb"`): line protocol over the
 * HTTP API (`/write`, `/query`, InfluxDB 1.x as Debian ships it; 2.x serves the same v1 endpoints).
 * Each record is one point whose `json` field holds the record, timestamped by its start time;
 * trace and log queries are InfluxQL `ORDER BY time DESC LIMIT n`, retention is `DELETE ... WHERE
 * time < cutoff`.
 *
 * Settings (`[telemetry]` keys): `url` (default `http://127.0.0.1:8086`), `database` (default
 * `rohas`), `username`, `password`, or `token` (InfluxDB 2.x through its v1-compatible endpoints,
 * sent as `Authorization: Token <token>`; the database must be mapped to a bucket there).
 *
 * @module
 */

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

/** Opens (creating the database) an InfluxDB store.
 *
 * @param settings `url`, `database`, `username`, `password`
 * @returns the store
 * @throws {TelemetryError} when the server cannot be reached
 */
export async function openInfluxdbStore(
  settings: Record<string, string>,
): Promise<TelemetryStore> {
  const store = new InfluxdbStore(
    settings.url ?? "http://127.0.0.1:8086",
    settings.database ?? "rohas",
    settings.username && settings.password
      ? { u: settings.username, p: settings.password }
      : undefined,
    settings.token,
  );
  // 2.x (token) has no CREATE DATABASE: its buckets are made by the operator.
  if (!settings.token) {
    await store.query(`CREATE DATABASE "${settings.database ?? "rohas"}"`, { method: "POST" });
  } else {
    await store.query("SHOW MEASUREMENTS LIMIT 1");
  }
  return store;
}

class InfluxdbStore implements TelemetryStore {
  readonly type = "influxdb";
  #url: string;
  #db: string;
  #auth: { u: string; p: string } | undefined;
  #token: string | undefined;
  #seq = 0;

  constructor(
    url: string,
    db: string,
    auth: { u: string; p: string } | undefined,
    token: string | undefined,
  ) {
    this.#url = url.replace(/\/+$/, "");
    this.#db = db;
    this.#auth = auth;
    this.#token = token;
  }

  async query(q: string, options: { method?: string } = {}): Promise<InfluxSeries[]> {
    const params = new URLSearchParams({ db: this.#db, q, epoch: "ms", ...this.#auth });
    const method = options.method ?? "GET";
    const response = await this.#fetch(
      method === "GET" ? `/query?${params}` : "/query",
      method === "GET" ? { method } : { method, body: params },
    );
    const json = await response.json() as {
      results?: { series?: InfluxSeries[]; error?: string }[];
    };
    const result = json.results?.[0];
    if (result?.error) throw new TelemetryError(`InfluxDB query failed: ${result.error}`);
    return result?.series ?? [];
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      const headers = this.#token ? { authorization: `Token ${this.#token}` } : undefined;
      response = await fetch(this.#url + path, headers ? { ...init, headers } : init);
    } catch (error) {
      throw new TelemetryError(
        `Cannot reach InfluxDB at "${this.#url}" ([telemetry] url): ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!response.ok) {
      const text = await response.text();
      throw new TelemetryError(`InfluxDB answered ${response.status}: ${text.trim()}`);
    }
    return response;
  }

  async #write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const params = new URLSearchParams({ db: this.#db, precision: "ns", ...this.#auth });
    const response = await this.#fetch(`/write?${params}`, {
      method: "POST",
      body: lines.join("\n"),
    });
    await response.body?.cancel();
  }

  /** A nanosecond timestamp: the millisecond, plus a sequence so points never collide. */
  #ns(ms: number): string {
    this.#seq = (this.#seq + 1) % 1_000_000;
    return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(this.#seq)).toString();
  }

  writeTraces(traces: readonly TraceRecord[]): Promise<void> {
    return this.#write(traces.map((t) => {
      // Typed as written so that projects checking this file without exactOptionalPropertyTypes
      // (every project importing the package) accept it too.
      const tags: Record<string, string> = t.parent_id === undefined
        ? { id: t.id }
        : { id: t.id, parent_id: t.parent_id };
      const fields = { json: JSON.stringify(t), entry_type: t.entry_type, status: t.status };
      const ns = (BigInt(Date.parse(t.started_at)) * 1_000_000n).toString();
      return line("rohas_traces", tags, fields, ns);
    }));
  }

  writeLogs(logs: readonly LogEntry[]): Promise<void> {
    return this.#write(logs.map((l) =>
      line(
        "rohas_logs",
        l.trace_id ? { trace_id: l.trace_id } : {},
        { json: JSON.stringify(l), level: l.level },
        this.#ns(Date.parse(l.timestamp) || 0),
      )
    ));
  }

  writeSamples(samples: readonly MetricSample[]): Promise<void> {
    return this.#write(
      samples.map((s) =>
        line(
          "rohas_samples",
          { name: s.name },
          { json: JSON.stringify(s) },
          this.#ns(Date.parse(s.timestamp) || 0),
        )
      ),
    );
  }

  async queryTraces(query: TraceQuery = {}): Promise<TraceRecord[]> {
    const where: string[] = [];
    if (query.parentId !== undefined) where.push(`parent_id = ${str(query.parentId)}`);
    if (query.entryType !== undefined) where.push(`entry_type = ${str(query.entryType)}`);
    if (query.status !== undefined) where.push(`status = ${str(query.status)}`);
    if (query.since) where.push(`time >= ${query.since.getTime()}ms`);
    if (query.until) where.push(`time < ${query.until.getTime()}ms`);
    return await this.#select("rohas_traces", where, query.limit ?? DEFAULT_LIMIT);
  }

  async getTrace(id: string): Promise<TraceRecord | undefined> {
    return (await this.#select<TraceRecord>("rohas_traces", [`id = ${str(id)}`], 1))[0];
  }

  queryLogs(query: LogQuery = {}): Promise<LogEntry[]> {
    const where: string[] = [];
    if (query.level !== undefined) where.push(`level = ${str(query.level)}`);
    if (query.traceId !== undefined) where.push(`trace_id = ${str(query.traceId)}`);
    if (query.after !== undefined) where.push(`time >= ${Date.parse(query.after) + 1}ms`);
    return this.#select("rohas_logs", where, query.limit ?? DEFAULT_LIMIT);
  }

  querySamples(query: SampleQuery = {}): Promise<MetricSample[]> {
    const where: string[] = [];
    if (query.name !== undefined) where.push(`"name" = ${str(query.name)}`);
    if (query.since) where.push(`time >= ${query.since.getTime()}ms`);
    return this.#select("rohas_samples", where, query.limit ?? DEFAULT_SAMPLE_LIMIT);
  }

  async #select<T>(measurement: string, where: string[], limit: number): Promise<T[]> {
    const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
    const series = await this.query(
      `SELECT "json" FROM "${measurement}"${clause} ORDER BY time DESC LIMIT ${Math.floor(limit)}`,
    );
    const rows = series.flatMap((s) => {
      const i = s.columns.indexOf("json");
      return s.values.map((v) => JSON.parse(String(v[i])) as T);
    });
    return rows;
  }

  async prune(cutoff: Date): Promise<number> {
    let count = 0;
    for (const m of ["rohas_traces", "rohas_logs", "rohas_samples"]) {
      const cond = ` WHERE time < ${cutoff.getTime()}ms`;
      const counted = await this.query(`SELECT COUNT("json") FROM "${m}"${cond}`);
      count += Number(counted[0]?.values[0]?.[1] ?? 0);
      await this.query(`DELETE FROM "${m}"${cond}`, { method: "POST" });
    }
    return count;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface InfluxSeries {
  name: string;
  columns: string[];
  values: unknown[][];
}

function line(
  measurement: string,
  tags: Record<string, string>,
  fields: Record<string, string>,
  ns: string,
): string {
  const tagText = Object.entries(tags).map(([k, v]) => `,${k}=${escapeTag(v)}`).join("");
  const fieldText = Object.entries(fields).map(([k, v]) =>
    `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`
  ).join(",");
  return `${measurement}${tagText} ${fieldText} ${ns}`;
}

function escapeTag(value: string): string {
  return value.replace(/([,= \\])/g, "\\$1") || "_";
}

function str(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
