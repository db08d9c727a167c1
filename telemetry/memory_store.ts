/**
 * The in-memory {@linkcode ImmediateStore}: bounded, lost when the process ends. Backs
 * `[telemetry] type = "memory"` and the trace and log side of `prometheus`. Traces
 * (`_trace_ring.ts`) and samples are kept as rows of flat arrays in fixed rings: the oldest are
 * overwritten in place, and a kept trace is no record, steps array or step object the garbage
 * collector has to promote and trace; reads build records of their own. Its writes complete at
 * once, so the recorder hands it each record as it comes, with no queue.
 *
 * @module
 */

import type { LogEntry, MetricSample, TraceRecord } from "./model.ts";
import { TraceRing } from "./_trace_ring.ts";
import {
  DEFAULT_LIMIT,
  DEFAULT_SAMPLE_LIMIT,
  type EndedTrace,
  type ImmediateStore,
  logMatches,
  type LogQuery,
  newestFirst,
  type SampleQuery,
  traceMatches,
  type TraceQuery,
} from "./store.ts";

/** Options of {@linkcode createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Trace writes kept (a trace written twice counts twice); the oldest go first. Default 1000. */
  maxTraces?: number;
  /** Log entries kept. Default 5000. */
  maxLogs?: number;
  /** Metric samples kept. Default 10000. */
  maxSamples?: number;
}

/** Creates an in-memory store.
 *
 * @param options capacities
 * @returns the store
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createMemoryStore } from "./memory_store.ts";
 * const store = createMemoryStore();
 * assertEquals((await store.queryTraces()).length, 0);
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): ImmediateStore {
  return new MemoryStore(options);
}

class MemoryStore implements ImmediateStore {
  readonly type = "memory";
  /** Traces as columns in a ring; a trace written again is found by its newest write. */
  #traces: TraceRing;
  #logs: Ring<LogEntry>;
  /** Samples as rows in a ring: a stored sample keeps no object of its own alive (no GC promotion). */
  #samples: SampleRing;
  #maxSamples: number;

  constructor(options: MemoryStoreOptions) {
    this.#traces = new TraceRing(Math.max(1, options.maxTraces ?? 1000));
    this.#logs = new Ring(Math.max(1, options.maxLogs ?? 5000));
    this.#maxSamples = Math.max(1, options.maxSamples ?? 10000);
    this.#samples = new SampleRing(this.#maxSamples);
  }

  writeTraces(traces: readonly TraceRecord[]): Promise<void> {
    // A write copies the fields into the ring: the records die young, and a kept trace is no
    // object the garbage collector has to trace or promote.
    for (const trace of traces) this.#traces.push(trace);
    return Promise.resolve();
  }

  writeLogs(logs: readonly LogEntry[]): Promise<void> {
    for (const entry of logs) this.#logs.push(entry);
    return Promise.resolve();
  }

  writeSamples(samples: readonly MetricSample[]): Promise<void> {
    for (const sample of samples) this.#samples.push(sample);
    return Promise.resolve();
  }

  keepTrace(trace: EndedTrace): void {
    this.#traces.pushEnded(trace);
  }

  keepLog(entry: LogEntry): void {
    this.#logs.push(entry);
  }

  keepSample(sample: MetricSample): void {
    this.#samples.push(sample);
  }

  queryTraces(query: TraceQuery = {}): Promise<TraceRecord[]> {
    const all = this.#newestWrites().filter((t) => traceMatches(t, query)).sort(newestFirst);
    return Promise.resolve(all.slice(0, query.limit ?? DEFAULT_LIMIT));
  }

  getTrace(id: string): Promise<TraceRecord | undefined> {
    const ring = this.#traces;
    for (let k = 0; k < ring.size; k++) {
      if (ring.id(k) === id) return Promise.resolve(ring.record(k));
    }
    return Promise.resolve(undefined);
  }

  /** The newest write of each trace id, as records of their own. */
  #newestWrites(): TraceRecord[] {
    const ring = this.#traces;
    const seen = new Set<string>();
    const out: TraceRecord[] = [];
    for (let k = 0; k < ring.size; k++) {
      const id = ring.id(k);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(ring.record(k));
    }
    return out;
  }

  queryLogs(query: LogQuery = {}): Promise<LogEntry[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const out: LogEntry[] = [];
    const ring = this.#logs;
    for (let k = 0; k < ring.size && out.length < limit; k++) {
      const entry = ring.newest(k);
      if (logMatches(entry, query)) out.push(entry);
    }
    return Promise.resolve(out);
  }

  querySamples(query: SampleQuery = {}): Promise<MetricSample[]> {
    const limit = query.limit ?? DEFAULT_SAMPLE_LIMIT;
    const since = query.since?.toISOString();
    const out: MetricSample[] = [];
    const ring = this.#samples;
    for (let k = 0; k < ring.size && out.length < limit; k++) {
      if (query.name !== undefined && ring.name(k) !== query.name) continue;
      if (since && ring.timestamp(k) < since) continue;
      out.push(ring.newest(k));
    }
    return Promise.resolve(out);
  }

  prune(cutoff: Date): Promise<number> {
    const before = this.#logs.size;
    const traces = this.#pruneTraces(cutoff.getTime());
    const iso = cutoff.toISOString();
    this.#logs.keep((l) => l.timestamp >= iso);
    const samples = this.#samples.keepSince(iso);
    return Promise.resolve(traces + before - this.#logs.size + samples);
  }

  /** Keeps the traces started at or after `ms`; returns how many went. */
  #pruneTraces(ms: number): number {
    const ring = this.#traces;
    const kept: TraceRecord[] = [];
    for (let k = ring.size - 1; k >= 0; k--) {
      if (ring.startedMs(k) >= ms) kept.push(ring.record(k));
    }
    const removed = ring.size - kept.length;
    ring.clear();
    for (const trace of kept) ring.push(trace);
    return removed;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A fixed-capacity ring of objects; the oldest is overwritten in place. */
class Ring<T> {
  #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** How many items are kept. */
  get size(): number {
    return this.#size;
  }

  /** Keeps an item, overwriting the oldest when full. */
  push(item: T): void {
    const capacity = this.#items.length;
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % capacity;
    if (this.#size < capacity) this.#size += 1;
  }

  /** The `k`-th newest item. */
  newest(k: number): T {
    const capacity = this.#items.length;
    return this.#items[(this.#next - 1 - k + 2 * capacity) % capacity]!;
  }

  /** Keeps the items that pass `test`, in order. */
  keep(test: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let k = this.#size - 1; k >= 0; k--) {
      const item = this.newest(k);
      if (test(item)) kept.push(item);
    }
    this.#items.fill(undefined);
    this.#next = 0;
    this.#size = 0;
    for (const item of kept) this.push(item);
  }
}

/**
 * A fixed-capacity ring of metric samples, each a row of four references (name, kind, labels,
 * timestamp) and a number; the oldest is overwritten.
 */
class SampleRing {
  /** Name, kind, labels and timestamp of each sample, in rows of four. */
  #refs: unknown[];
  #values: Float64Array;
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#refs = new Array<unknown>(capacity * 4).fill("");
    this.#values = new Float64Array(capacity);
  }

  /** How many samples are kept. */
  get size(): number {
    return this.#size;
  }

  /** Keeps a sample's fields (not the sample). */
  push(sample: MetricSample): void {
    const i = this.#next;
    const refs = this.#refs;
    refs[i * 4] = sample.name;
    refs[i * 4 + 1] = sample.kind;
    refs[i * 4 + 2] = sample.labels;
    refs[i * 4 + 3] = sample.timestamp;
    this.#values[i] = sample.value;
    this.#next = (i + 1) % this.#values.length;
    if (this.#size < this.#values.length) this.#size += 1;
  }

  /** The name of the `k`-th newest sample. */
  name(k: number): string {
    return this.#refs[this.#index(k) * 4] as string;
  }

  /** The timestamp of the `k`-th newest sample. */
  timestamp(k: number): string {
    return this.#refs[this.#index(k) * 4 + 3] as string;
  }

  /** The `k`-th newest sample, as an object again. */
  newest(k: number): MetricSample {
    const i = this.#index(k);
    const refs = this.#refs;
    return {
      name: refs[i * 4] as string,
      kind: refs[i * 4 + 1] as MetricSample["kind"],
      value: this.#values[i]!,
      labels: refs[i * 4 + 2] as Record<string, string>,
      timestamp: refs[i * 4 + 3] as string,
    };
  }

  /** Drops the samples older than `iso`; returns how many went. */
  keepSince(iso: string): number {
    const kept: MetricSample[] = [];
    for (let k = this.#size - 1; k >= 0; k--) {
      if (this.timestamp(k) >= iso) kept.push(this.newest(k));
    }
    const removed = this.#size - kept.length;
    this.#next = 0;
    this.#size = 0;
    for (const sample of kept) this.push(sample);
    return removed;
  }

  #index(k: number): number {
    const capacity = this.#values.length;
    return (this.#next - 1 - k + 2 * capacity) % capacity;
  }
}
