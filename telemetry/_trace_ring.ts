/**
 * A fixed-capacity ring of trace records stored as columns, the memory store's trace side. A kept
 * trace holds no object of its own (no record, no steps array, no step objects): only the strings
 * and the metadata object it was written with, which the writer made anyway. Old traces are
 * overwritten in place, so keeping the newest N costs no copying and little GC.
 *
 * @module
 */

import type {
  EntryType,
  TraceRecord,
  TraceStatus,
  TraceStep,
  TriggeredEventRecord,
} from "./model.ts";

/** Steps kept in columns per trace; a trace with more keeps its steps as objects. */
const INLINE_STEPS = 4;

/** The ring. Index `k` counts from the newest (0) to the oldest (`size - 1`). */
export class TraceRing {
  readonly capacity: number;
  #next = 0;
  #size = 0;
  #ids: string[];
  #parents: (string | undefined)[];
  #entryPoints: string[];
  #entryTypes: EntryType[];
  #buckets: string[];
  #statuses: TraceStatus[];
  #durations: Float64Array;
  #started: string[];
  #completed: (string | undefined)[];
  #errors: (string | undefined)[];
  #metadata: (Record<string, string> | undefined)[];
  #stepCounts: Uint16Array;
  /** The steps of a trace with more than {@linkcode INLINE_STEPS}, as written. */
  #overflow: (TraceStep[] | undefined)[];
  #steps: StepColumns;

  /** Creates an empty ring.
   *
   * @param capacity traces kept
   */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.#ids = filled(capacity, "");
    this.#parents = filled<string | undefined>(capacity, undefined);
    this.#entryPoints = filled(capacity, "");
    this.#entryTypes = filled<EntryType>(capacity, "api");
    this.#buckets = filled(capacity, "");
    this.#statuses = filled<TraceStatus>(capacity, "running");
    this.#durations = new Float64Array(capacity);
    this.#started = filled(capacity, "");
    this.#completed = filled<string | undefined>(capacity, undefined);
    this.#errors = filled<string | undefined>(capacity, undefined);
    this.#metadata = filled<Record<string, string> | undefined>(capacity, undefined);
    this.#stepCounts = new Uint16Array(capacity);
    this.#overflow = filled<TraceStep[] | undefined>(capacity, undefined);
    this.#steps = new StepColumns(capacity * INLINE_STEPS);
  }

  /** How many traces are kept. */
  get size(): number {
    return this.#size;
  }

  /** Keeps a trace's fields (not the record), overwriting the oldest when full.
   *
   * @param record the trace
   */
  push(record: TraceRecord): void {
    const i = this.#next;
    this.#ids[i] = record.id;
    this.#parents[i] = record.parent_id;
    this.#entryPoints[i] = record.entry_point;
    this.#entryTypes[i] = record.entry_type;
    this.#buckets[i] = record.bucket;
    this.#statuses[i] = record.status;
    this.#durations[i] = record.duration_ms;
    this.#started[i] = record.started_at;
    this.#completed[i] = record.completed_at;
    this.#errors[i] = record.error;
    this.#metadata[i] = record.metadata;
    this.#pushSteps(i, record.steps);
    this.#next = (i + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size += 1;
  }

  #pushSteps(i: number, steps: readonly TraceStep[]): void {
    const count = steps.length;
    this.#stepCounts[i] = Math.min(count, 0xffff);
    if (count > INLINE_STEPS) {
      this.#overflow[i] = steps.slice();
      return;
    }
    this.#overflow[i] = undefined;
    for (let s = 0; s < count; s++) this.#steps.set(i * INLINE_STEPS + s, steps[s]!);
  }

  /** The id of the `k`-th newest trace. */
  id(k: number): string {
    return this.#ids[this.#index(k)]!;
  }

  /** The `started_at` of the `k`-th newest trace. */
  startedAt(k: number): string {
    return this.#started[this.#index(k)]!;
  }

  /** The `k`-th newest trace as a record of its own (its metadata and steps are copies). */
  record(k: number): TraceRecord {
    const i = this.#index(k);
    const record: TraceRecord = {
      id: this.#ids[i]!,
      entry_point: this.#entryPoints[i]!,
      entry_type: this.#entryTypes[i]!,
      bucket: this.#buckets[i]!,
      status: this.#statuses[i]!,
      duration_ms: this.#durations[i]!,
      started_at: this.#started[i]!,
      steps: this.#stepsOf(i),
    };
    const parent = this.#parents[i];
    if (parent !== undefined) record.parent_id = parent;
    const completed = this.#completed[i];
    if (completed !== undefined) record.completed_at = completed;
    const error = this.#errors[i];
    if (error !== undefined) record.error = error;
    const metadata = this.#metadata[i];
    if (metadata !== undefined) record.metadata = { ...metadata };
    return record;
  }

  #stepsOf(i: number): TraceStep[] {
    const overflow = this.#overflow[i];
    if (overflow !== undefined) return overflow.map((s) => structuredClone(s));
    const out: TraceStep[] = [];
    for (let s = 0; s < this.#stepCounts[i]!; s++) out.push(this.#steps.get(i * INLINE_STEPS + s));
    return out;
  }

  /** Forgets every trace. */
  clear(): void {
    this.#next = 0;
    this.#size = 0;
    this.#metadata.fill(undefined);
    this.#overflow.fill(undefined);
  }

  #index(k: number): number {
    return (this.#next - 1 - k + 2 * this.capacity) % this.capacity;
  }
}

/** Trace steps as columns. */
class StepColumns {
  #names: string[];
  #paths: string[];
  #buckets: string[];
  #handlers: string[];
  #durations: Float64Array;
  #success: Uint8Array;
  #errors: (string | undefined)[];
  #stamps: string[];
  #triggered: (TriggeredEventRecord[] | undefined)[];

  constructor(capacity: number) {
    this.#names = filled(capacity, "");
    this.#paths = filled(capacity, "");
    this.#buckets = filled(capacity, "");
    this.#handlers = filled(capacity, "");
    this.#durations = new Float64Array(capacity);
    this.#success = new Uint8Array(capacity);
    this.#errors = filled<string | undefined>(capacity, undefined);
    this.#stamps = filled(capacity, "");
    this.#triggered = filled<TriggeredEventRecord[] | undefined>(capacity, undefined);
  }

  set(j: number, step: TraceStep): void {
    this.#names[j] = step.name;
    this.#paths[j] = step.path;
    this.#buckets[j] = step.bucket;
    this.#handlers[j] = step.handler_name;
    this.#durations[j] = step.duration_ms;
    this.#success[j] = step.success ? 1 : 0;
    this.#errors[j] = step.error;
    this.#stamps[j] = step.timestamp;
    this.#triggered[j] = step.triggered_events;
  }

  get(j: number): TraceStep {
    const step: TraceStep = {
      name: this.#names[j]!,
      path: this.#paths[j]!,
      bucket: this.#buckets[j]!,
      handler_name: this.#handlers[j]!,
      duration_ms: this.#durations[j]!,
      success: this.#success[j] === 1,
      timestamp: this.#stamps[j]!,
    };
    const error = this.#errors[j];
    if (error !== undefined) step.error = error;
    const triggered = this.#triggered[j];
    if (triggered !== undefined) step.triggered_events = triggered.map((e) => ({ ...e }));
    return step;
  }
}

function filled<T>(capacity: number, value: T): T[] {
  return new Array<T>(capacity).fill(value);
}
