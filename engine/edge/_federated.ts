/**
 * The telemetry the workbench and `/metrics` read when edges keep their own: the main process's
 * recorder, with every read also asked of the edges and the answers merged (newest first, limits
 * kept), and the live series of every process summed.
 *
 * @module
 */

import type {
  PersistedRecords,
  RecordingTelemetry,
  SubscribeOptions,
  TelemetryEvent,
} from "../../telemetry/mod.ts";
import type { SeriesSnapshot } from "../../telemetry/mod.ts";
import type {
  ActiveTrace,
  LogEntry,
  MetricSample,
  StartTraceOptions,
  TraceRecord,
} from "../../telemetry/mod.ts";
import type { LogQuery, SampleQuery, TraceQuery } from "../../telemetry/mod.ts";
import type { EdgePool } from "./edge_pool.ts";
import type { WireQuery } from "./protocol.ts";

/**
 * Wraps the main process's recorder so that reads include what the edges recorded.
 *
 * @param telemetry the main process's recorder (writes go there)
 * @param edges the running edges, once there are (none: reads are the recorder's own)
 * @returns the federated telemetry
 */
export function federate(
  telemetry: RecordingTelemetry,
  edges: () => EdgePool | null,
): RecordingTelemetry {
  return new Federated(telemetry, {
    read: async (read) => await edges()?.read(read) ?? [],
    series: () => edges()?.series() ?? [],
    watch: (listener, options) => edges()?.watch(listener, options) ?? (() => {}),
    watching: () => edges()?.watching() ?? Promise.resolve(),
  });
}

/** What the federation needs of the edges. */
type EdgeReads = Pick<EdgePool, "read" | "series" | "watch" | "watching">;

class Federated implements RecordingTelemetry {
  readonly #own: RecordingTelemetry;
  readonly #edges: EdgeReads;

  constructor(own: RecordingTelemetry, edges: EdgeReads) {
    this.#own = own;
    this.#edges = edges;
  }

  get type(): string {
    return this.#own.type;
  }

  get lazyMetadata(): boolean {
    return this.#own.lazyMetadata === true;
  }

  startTrace(options: StartTraceOptions): ActiveTrace {
    return this.#own.startTrace(options);
  }

  log(entry: LogEntry): void {
    this.#own.log(entry);
  }

  metric(sample: MetricSample): void {
    this.#own.metric(sample);
  }

  flush(): Promise<void> {
    return this.#own.flush();
  }

  prune(): Promise<number> {
    return this.#own.prune();
  }

  persist(records: PersistedRecords): void {
    this.#own.persist(records);
  }

  close(): Promise<void> {
    return this.#own.close();
  }

  watching(): Promise<void> {
    return this.#edges.watching();
  }

  subscribe(listener: (event: TelemetryEvent) => void, options?: SubscribeOptions): () => void {
    const own = this.#own.subscribe(listener, options);
    const edges = this.#edges.watch(listener, options);
    return () => {
      own();
      edges();
    };
  }

  async traces(query: TraceQuery = {}): Promise<TraceRecord[]> {
    const [own, remote] = await Promise.all([
      this.#own.traces(query),
      this.#edges.read({ kind: "traces", query: wire(query) }),
    ]);
    return newest(own, remote as TraceRecord[][], (t) => t.started_at, query.limit ?? 100);
  }

  async trace(id: string): Promise<TraceRecord | undefined> {
    const own = await this.#own.trace(id);
    if (own !== undefined) return own;
    const remote = await this.#edges.read({ kind: "trace", id });
    return remote.find((t) => t !== undefined) as TraceRecord | undefined;
  }

  async logs(query: LogQuery = {}): Promise<LogEntry[]> {
    const [own, remote] = await Promise.all([
      this.#own.logs(query),
      this.#edges.read({ kind: "logs", query: wire(query) }),
    ]);
    return newest(own, remote as LogEntry[][], (e) => e.timestamp, query.limit ?? 100);
  }

  async samples(query: SampleQuery = {}): Promise<MetricSample[]> {
    const [own, remote] = await Promise.all([
      this.#own.samples(query),
      this.#edges.read({ kind: "samples", query: wire(query) }),
    ]);
    return newest(own, remote as MetricSample[][], (s) => s.timestamp, query.limit ?? 1000);
  }

  metrics(): SeriesSnapshot[] {
    return mergeSeries([this.#own.metrics(), ...this.#edges.series()]);
  }

  exposition(): string {
    return expositionOf(this.metrics());
  }
}

/** A query as it crosses to an edge: dates as milliseconds. */
function wire(query: TraceQuery | LogQuery | SampleQuery): WireQuery {
  const out: WireQuery = {};
  for (const [key, value] of Object.entries(query)) {
    out[key] = value instanceof Date ? value.getTime() : value as string | number | undefined;
  }
  return out;
}

/** Every list merged, newest first by `time` (ISO text sorts as time), at most `limit`. */
function newest<T>(own: T[], remote: T[][], time: (item: T) => string, limit: number): T[] {
  const all = own.concat(...remote.filter(Array.isArray));
  all.sort((a, b) => {
    const ta = time(a);
    const tb = time(b);
    return ta < tb ? 1 : ta > tb ? -1 : 0;
  });
  return all.slice(0, limit);
}

/**
 * The series of several processes as one: equal name and labels add up (counters, gauges such as
 * memory, histogram sums and counts); a histogram's percentiles are the highest of the processes'.
 */
export function mergeSeries(lists: SeriesSnapshot[][]): SeriesSnapshot[] {
  const merged = new Map<string, SeriesSnapshot>();
  for (const list of lists) {
    for (const s of list) {
      const key = `${s.name}${JSON.stringify(s.labels)}`;
      const seen = merged.get(key);
      if (seen === undefined) {
        merged.set(key, { ...s });
        continue;
      }
      seen.value += s.value;
      if (s.count !== undefined) seen.count = (seen.count ?? 0) + s.count;
      if (s.p50 !== undefined) seen.p50 = Math.max(seen.p50 ?? 0, s.p50);
      if (s.p99 !== undefined) seen.p99 = Math.max(seen.p99 ?? 0, s.p99);
    }
  }
  return [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The Prometheus text format of merged series; histograms become summaries (the processes'
 * buckets are not sent, their percentiles are).
 */
export function expositionOf(series: SeriesSnapshot[]): string {
  const lines: string[] = [];
  let lastName = "";
  for (const s of series) {
    const type = s.kind === "histogram" ? "summary" : s.kind;
    if (s.name !== lastName) {
      lines.push(`# HELP ${s.name} Rohas ${s.kind} ${s.name}`, `# TYPE ${s.name} ${type}`);
      lastName = s.name;
    }
    if (s.kind !== "histogram") {
      lines.push(`${s.name}${labelText(s.labels)} ${s.value}`);
      continue;
    }
    lines.push(`${s.name}${labelText({ ...s.labels, quantile: "0.5" })} ${s.p50 ?? 0}`);
    lines.push(`${s.name}${labelText({ ...s.labels, quantile: "0.99" })} ${s.p99 ?? 0}`);
    lines.push(`${s.name}_sum${labelText(s.labels)} ${s.value}`);
    lines.push(`${s.name}_count${labelText(s.labels)} ${s.count ?? 0}`);
  }
  return lines.join("\n") + "\n";
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) =>
    `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`
  );
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}
