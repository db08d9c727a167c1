/**
 * Live metric aggregation: counters, gauges and histograms by name and label set, fed with
 * {@linkcode MetricSample}s. It answers the workbench overview (totals, p50/p99) and renders the
 * Prometheus text exposition format (version 0.0.4) for `GET /metrics`.
 *
 * @module
 */

import type { MetricKind, MetricSample } from "./model.ts";

/** Histogram bucket upper bounds, in the sample's unit (milliseconds for durations). */
export const DEFAULT_BUCKETS: readonly number[] = [
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
];

/** Values kept per histogram series for exact recent percentiles. */
const RESERVOIR = 1024;

/** One aggregated series: a name with one label set. */
export interface SeriesSnapshot {
  /** The sanitised metric name. */
  name: string;
  /** How its samples combine. */
  kind: MetricKind;
  /** The label set, sorted by name. */
  labels: Record<string, string>;
  /** Counter total, gauge value, or histogram sum. */
  value: number;
  /** Histograms: observations. */
  count?: number;
  /** Histograms: percentiles of the most recent observations. */
  p50?: number;
  /** Histograms: the 99th percentile of the most recent observations. */
  p99?: number;
}

interface Series {
  name: string;
  kind: MetricKind;
  labels: Record<string, string>;
  value: number;
  count: number;
  buckets: number[];
  recent: number[];
  next: number;
}

/** Aggregates samples into series. */
export class MetricsRegistry {
  #series = new Map<string, Series>();
  #aliases = new Map<string, Series>();
  /** Series by frozen label set and name: a caller that reuses a frozen label set skips the key. */
  #byLabels = new WeakMap<Record<string, string>, Map<string, Series>>();
  /** The last frozen label set and name found, and their series: one handler's samples come in a
   * row, so most lookups hash nothing. */
  #last: { labels: Record<string, string>; name: string; series: Series } | undefined;
  #buckets: readonly number[];
  #constant: Record<string, string>;

  /** Creates an empty registry.
   *
   * @param buckets histogram bucket bounds, ascending. Default {@linkcode DEFAULT_BUCKETS}
   * @param constant labels every series carries, such as `{ instance: "web-1" }`. Default none
   */
  constructor(
    buckets: readonly number[] = DEFAULT_BUCKETS,
    constant: Record<string, string> = {},
  ) {
    this.#buckets = buckets;
    this.#constant = constant;
  }

  /** Adds one sample: counters add, gauges set, histograms observe.
   *
   * @param sample the sample
   */
  record(sample: MetricSample): void {
    const series = this.#find(sample);
    switch (series.kind) {
      case "counter":
        series.value += sample.value;
        return;
      case "gauge":
        series.value = sample.value;
        return;
      case "histogram":
        this.#observe(series, sample.value);
        return;
    }
  }

  /** A function that records into one series, found once (the hot path builds no key per sample).
   *
   * @param name the metric name
   * @param kind how its samples combine
   * @param labels the label set
   * @returns `(value) => void`: counters add, gauges set, histograms observe
   */
  bind(name: string, kind: MetricKind, labels: Record<string, string>): (value: number) => void {
    const series = this.#find({ name, kind, value: 0, labels, timestamp: "" });
    switch (series.kind) {
      case "counter":
        return (value) => series.value += value;
      case "gauge":
        return (value) => series.value = value;
      case "histogram":
        return (value) => this.#observe(series, value);
    }
  }

  #find(sample: MetricSample): Series {
    const labels = sample.labels;
    // A frozen label set cannot change, so its identity stands for its text.
    const last = this.#last;
    if (last !== undefined && last.labels === labels && last.name === sample.name) {
      return last.series;
    }
    if (!Object.isFrozen(labels)) return this.#findByText(sample);
    let byName = this.#byLabels.get(labels);
    const known = byName?.get(sample.name);
    if (known) {
      this.#last = { labels, name: sample.name, series: known };
      return known;
    }
    const series = this.#findByText(sample);
    if (byName === undefined) {
      byName = new Map();
      this.#byLabels.set(labels, byName);
    }
    byName.set(sample.name, series);
    return series;
  }

  #findByText(sample: MetricSample): Series {
    // The hot path: labels as written, no sorting; the sorted key is computed once per spelling.
    let fast = sample.name;
    for (const k in sample.labels) fast += `\u0000${k}\u0001${sample.labels[k]}`;
    const known = this.#aliases.get(fast);
    if (known) return known;
    const name = metricName(sample.name);
    const key = seriesKey(name, sample.labels);
    let series = this.#series.get(key);
    if (!series) {
      series = newSeries(name, sample, this.#buckets.length, this.#constant);
      this.#series.set(key, series);
    }
    this.#aliases.set(fast, series);
    return series;
  }

  #observe(series: Series, value: number): void {
    series.value += value;
    series.count++;
    const buckets = this.#buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (value <= buckets[i]!) {
        series.buckets[i]!++;
        break;
      }
    }
    if (series.recent.length < RESERVOIR) series.recent.push(value);
    else series.recent[series.next] = value;
    series.next = (series.next + 1) % RESERVOIR;
  }

  /** Every series, sorted by name then labels.
   *
   * @returns snapshots with percentiles for histograms
   */
  snapshot(): SeriesSnapshot[] {
    return [...this.#series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map((
      [, s],
    ) => {
      const out: SeriesSnapshot = { name: s.name, kind: s.kind, labels: s.labels, value: s.value };
      if (s.kind === "histogram") {
        const sorted = [...s.recent].sort((a, b) => a - b);
        out.count = s.count;
        out.p50 = percentile(sorted, 0.5);
        out.p99 = percentile(sorted, 0.99);
      }
      return out;
    });
  }

  /** Renders the Prometheus text exposition format.
   *
   * @returns the body of `GET /metrics`
   */
  exposition(): string {
    const lines: string[] = [];
    let lastName = "";
    const sorted = [...this.#series.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
    for (const s of sorted) {
      if (s.name !== lastName) {
        lines.push(`# HELP ${s.name} Rohas ${s.kind} ${s.name}`, `# TYPE ${s.name} ${s.kind}`);
        lastName = s.name;
      }
      lines.push(...this.#seriesLines(s));
    }
    return lines.join("\n") + "\n";
  }

  #seriesLines(s: Series): string[] {
    if (s.kind !== "histogram") return [`${s.name}${labelText(s.labels)} ${formatNumber(s.value)}`];
    const lines: string[] = [];
    let cumulative = 0;
    this.#buckets.forEach((bound, i) => {
      cumulative += s.buckets[i]!;
      lines.push(`${s.name}_bucket${labelText({ ...s.labels, le: String(bound) })} ${cumulative}`);
    });
    lines.push(`${s.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
    lines.push(`${s.name}_sum${labelText(s.labels)} ${formatNumber(s.value)}`);
    lines.push(`${s.name}_count${labelText(s.labels)} ${s.count}`);
    return lines;
  }
}

function newSeries(
  name: string,
  sample: MetricSample,
  buckets: number,
  constant: Record<string, string>,
): Series {
  return {
    name,
    kind: sample.kind,
    labels: Object.fromEntries(
      Object.entries({ ...sample.labels, ...constant }).map(([k, v]) => [metricName(k), v]).sort((
        [a],
        [b],
      ) => a! < b! ? -1 : 1),
    ),
    value: 0,
    count: 0,
    buckets: new Array(buckets).fill(0),
    recent: [],
    next: 0,
  };
}

/** Makes a name valid for Prometheus: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
 *
 * @param name any name, such as `handler.duration`
 * @returns the sanitised name, such as `handler_duration`
 */
export function metricName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[a-zA-Z_:]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`);
  return `${name}{${parts.join(",")}}`;
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) =>
    `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`
  );
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  return String(n);
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}
