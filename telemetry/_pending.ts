/**
 * The recorder's pending batch as columns: an ended trace, its steps and a metric sample are
 * copied in as raw values (strings, numbers, the engine's metadata object), so the objects the
 * engine built for one request die young. {@linkcode PendingTraces.drain} and
 * {@linkcode PendingSamples.drain} build the records the stores take, at batch flush, and empty the
 * columns (they are reused, never reallocated once grown).
 *
 * @module
 */

import type {
  EntryType,
  MetricKind,
  MetricSample,
  TraceRecord,
  TraceStatus,
  TraceStep,
  TriggeredEventRecord,
} from "./model.ts";
import { hasKeys, type RecordedTrace } from "./_recorded_trace.ts";

/** Ended traces waiting for the next batch write. */
export class PendingTraces {
  #count = 0;
  #ids: (string | undefined)[] = [];
  #parents: (string | undefined)[] = [];
  #entryPoints: (string | undefined)[] = [];
  #entryTypes: EntryType[] = [];
  #metadata: (Record<string, string> | undefined)[] = [];
  #started: number[] = [];
  #ended: number[] = [];
  #statuses: TraceStatus[] = [];
  #errors: (string | undefined)[] = [];
  #stepCounts: number[] = [];
  #steps = new PendingSteps();

  /** How many traces wait. */
  get size(): number {
    return this.#count;
  }

  /** Copies an ended trace in. */
  push(trace: RecordedTrace, end: { status: TraceStatus; endMs: number; error?: string }): void {
    const i = this.#count++;
    this.#ids[i] = trace.id;
    this.#parents[i] = trace.parentId;
    this.#entryPoints[i] = trace.entryPoint;
    this.#entryTypes[i] = trace.entryType;
    this.#metadata[i] = trace.metadata;
    this.#started[i] = trace.startedMs;
    this.#ended[i] = end.endMs;
    this.#statuses[i] = end.status;
    this.#errors[i] = end.error;
    this.#stepCounts[i] = this.#steps.pushAll(trace);
  }

  /** The waiting traces as records, oldest first; empties the columns. */
  drain(): TraceRecord[] {
    const out: TraceRecord[] = new Array(this.#count);
    const iso = new IsoTexts();
    let step = 0;
    for (let i = 0; i < this.#count; i++) {
      const steps = this.#steps.records(step, this.#stepCounts[i]!);
      step += steps.length;
      out[i] = this.#record(i, steps, iso);
      this.#clear(i);
    }
    this.#count = 0;
    this.#steps.clear();
    return out;
  }

  #record(i: number, steps: TraceStep[], iso: IsoTexts): TraceRecord {
    const metadata = this.#metadata[i];
    const started = this.#started[i]!;
    const ended = this.#ended[i]!;
    const record: TraceRecord = {
      id: this.#ids[i]!,
      entry_point: this.#entryPoints[i]!,
      entry_type: this.#entryTypes[i]!,
      bucket: metadata?.path ?? "unknown",
      status: this.#statuses[i]!,
      duration_ms: ended - started,
      started_at: iso.started(started),
      completed_at: iso.ended(ended),
      steps,
    };
    const parent = this.#parents[i];
    if (parent !== undefined) record.parent_id = parent;
    const error = this.#errors[i];
    if (error !== undefined) record.error = error;
    if (metadata !== undefined && hasKeys(metadata)) record.metadata = metadata;
    return record;
  }

  /** Drops the references of a drained row, so what it pointed to can die young. */
  #clear(i: number): void {
    this.#ids[i] = undefined;
    this.#parents[i] = undefined;
    this.#entryPoints[i] = undefined;
    this.#metadata[i] = undefined;
    this.#errors[i] = undefined;
  }
}

/** The steps of pending traces, each trace's steps in a row. */
class PendingSteps {
  #count = 0;
  #names: (string | undefined)[] = [];
  #paths: (string | undefined)[] = [];
  #buckets: (string | undefined)[] = [];
  #handlers: (string | undefined)[] = [];
  #durations: number[] = [];
  #success: boolean[] = [];
  #errors: (string | undefined)[] = [];
  #stamps: (string | undefined)[] = [];
  #triggered: (TriggeredEventRecord[] | undefined)[] = [];

  /** Copies a trace's steps in; returns how many. */
  pushAll(trace: RecordedTrace): number {
    if (trace.firstStep === undefined) return 0;
    this.#push(trace.firstStep);
    const more = trace.moreSteps;
    if (more === undefined) return 1;
    for (const step of more) this.#push(step);
    return 1 + more.length;
  }

  #push(step: TraceStep): void {
    const j = this.#count++;
    this.#names[j] = step.name;
    this.#paths[j] = step.path;
    this.#buckets[j] = step.bucket;
    this.#handlers[j] = step.handler_name;
    this.#durations[j] = step.duration_ms;
    this.#success[j] = step.success;
    this.#errors[j] = step.error;
    this.#stamps[j] = step.timestamp;
    this.#triggered[j] = step.triggered_events;
  }

  /** `count` steps from `first` as objects; drops their references. */
  records(first: number, count: number): TraceStep[] {
    const out: TraceStep[] = new Array(count);
    for (let s = 0; s < count; s++) out[s] = this.#record(first + s);
    return out;
  }

  #record(j: number): TraceStep {
    const step: TraceStep = {
      name: this.#names[j]!,
      path: this.#paths[j]!,
      bucket: this.#buckets[j]!,
      handler_name: this.#handlers[j]!,
      duration_ms: this.#durations[j]!,
      success: this.#success[j]!,
      timestamp: this.#stamps[j]!,
    };
    const error = this.#errors[j];
    if (error !== undefined) step.error = error;
    const triggered = this.#triggered[j];
    if (triggered !== undefined) step.triggered_events = triggered;
    this.#names[j] = this.#paths[j] = this.#buckets[j] = this.#handlers[j] = undefined;
    this.#errors[j] = this.#stamps[j] = undefined;
    this.#triggered[j] = undefined;
    return step;
  }

  clear(): void {
    this.#count = 0;
  }
}

/** Metric samples waiting for the next batch write. */
export class PendingSamples {
  #count = 0;
  #names: (string | undefined)[] = [];
  #kinds: MetricKind[] = [];
  #values: number[] = [];
  #labels: (Record<string, string> | undefined)[] = [];
  #stamps: (string | undefined)[] = [];

  /** How many samples wait. */
  get size(): number {
    return this.#count;
  }

  /** Copies a sample's fields in (not the sample). */
  push(sample: MetricSample): void {
    const i = this.#count++;
    this.#names[i] = sample.name;
    this.#kinds[i] = sample.kind;
    this.#values[i] = sample.value;
    this.#labels[i] = sample.labels;
    this.#stamps[i] = sample.timestamp;
  }

  /** The waiting samples as objects, oldest first; empties the columns. */
  drain(): MetricSample[] {
    const out: MetricSample[] = new Array(this.#count);
    for (let i = 0; i < this.#count; i++) {
      out[i] = {
        name: this.#names[i]!,
        kind: this.#kinds[i]!,
        value: this.#values[i]!,
        labels: this.#labels[i]!,
        timestamp: this.#stamps[i]!,
      };
      this.#names[i] = this.#labels[i] = this.#stamps[i] = undefined;
    }
    this.#count = 0;
    return out;
  }
}

/** ISO texts of start and end times: consecutive traces mostly share both milliseconds. */
class IsoTexts {
  #startMs = Number.NaN;
  #startText = "";
  #endMs = Number.NaN;
  #endText = "";

  started(ms: number): string {
    if (ms !== this.#startMs) {
      this.#startMs = ms;
      this.#startText = ms === this.#endMs ? this.#endText : new Date(ms).toISOString();
    }
    return this.#startText;
  }

  ended(ms: number): string {
    if (ms !== this.#endMs) {
      this.#endMs = ms;
      this.#endText = ms === this.#startMs ? this.#startText : new Date(ms).toISOString();
    }
    return this.#endText;
  }
}
