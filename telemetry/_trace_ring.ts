/**
 * A fixed-capacity ring of trace records stored as rows of two flat arrays, the memory store's
 * trace side: one array of references (strings, the metadata object) and one of numbers, a trace
 * taking a fixed stride of each. A kept trace holds no object of its own (no record, no steps
 * array, no step objects): only the strings and the metadata object it was written with, which
 * the writer made anyway. Old traces are overwritten in place, so keeping the newest N costs no
 * copying and little GC, and a write touches a few adjacent cache lines.
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

/** Steps kept in the row per trace; a trace with more keeps its steps as objects. */
const INLINE_STEPS = 4;

/** Reference slots of a trace's row. */
const R = {
  id: 0,
  parent: 1,
  entryPoint: 2,
  entryType: 3,
  bucket: 4,
  status: 5,
  started: 6,
  completed: 7,
  error: 8,
  metadata: 9,
  overflow: 10,
  steps: 11,
} as const;
/** Reference slots of one inline step, from `R.steps + s * STEP_REFS`. */
const S = { name: 0, path: 1, bucket: 2, handler: 3, error: 4, stamp: 5, triggered: 6 } as const;
const STEP_REFS = 7;
const REF_STRIDE = R.steps + INLINE_STEPS * STEP_REFS;

/** Number slots of a trace's row: duration, step count, then per step duration and success. */
const NUM_STRIDE = 2 + INLINE_STEPS * 2;

/** The ring. Index `k` counts from the newest (0) to the oldest (`size - 1`). */
export class TraceRing {
  readonly capacity: number;
  #next = 0;
  #size = 0;
  #refs: unknown[];
  #nums: Float64Array;
  /** The metadata object kept last, shared by the next trace with the same values. */
  #lastMetadata: Record<string, string> | undefined;

  /** Creates an empty ring.
   *
   * @param capacity traces kept
   */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.#refs = new Array<unknown>(capacity * REF_STRIDE).fill(undefined);
    this.#nums = new Float64Array(capacity * NUM_STRIDE);
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
    const r = i * REF_STRIDE;
    const refs = this.#refs;
    refs[r + R.id] = record.id;
    refs[r + R.parent] = record.parent_id;
    refs[r + R.entryPoint] = record.entry_point;
    refs[r + R.entryType] = record.entry_type;
    refs[r + R.bucket] = record.bucket;
    refs[r + R.status] = record.status;
    refs[r + R.started] = record.started_at;
    refs[r + R.completed] = record.completed_at;
    refs[r + R.error] = record.error;
    refs[r + R.metadata] = this.#shared(record.metadata);
    const n = i * NUM_STRIDE;
    this.#nums[n] = record.duration_ms;
    this.#pushSteps(r, n, record.steps);
    this.#next = (i + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size += 1;
  }

  /** The metadata to keep: the one kept last when its values are the same (requests of one client
   * within one millisecond), so most kept traces hold no metadata object of their own. Reads copy
   * it, so sharing is not seen. */
  #shared(
    metadata: Record<string, string> | undefined,
  ): Record<string, string> | undefined {
    if (metadata === undefined) return undefined;
    const last = this.#lastMetadata;
    if (last !== undefined && sameValues(metadata, last)) return last;
    this.#lastMetadata = metadata;
    return metadata;
  }

  #pushSteps(r: number, n: number, steps: readonly TraceStep[]): void {
    const count = steps.length;
    this.#nums[n + 1] = count;
    if (count > INLINE_STEPS) {
      this.#refs[r + R.overflow] = steps.slice();
      return;
    }
    this.#refs[r + R.overflow] = undefined;
    for (let s = 0; s < count; s++) {
      this.#setStep(r + R.steps + s * STEP_REFS, n + 2 + s * 2, steps[s]!);
    }
  }

  #setStep(r: number, n: number, step: TraceStep): void {
    const refs = this.#refs;
    refs[r + S.name] = step.name;
    refs[r + S.path] = step.path;
    refs[r + S.bucket] = step.bucket;
    refs[r + S.handler] = step.handler_name;
    refs[r + S.error] = step.error;
    refs[r + S.stamp] = step.timestamp;
    refs[r + S.triggered] = step.triggered_events;
    this.#nums[n] = step.duration_ms;
    this.#nums[n + 1] = step.success ? 1 : 0;
  }

  /** The id of the `k`-th newest trace. */
  id(k: number): string {
    return this.#refs[this.#index(k) * REF_STRIDE + R.id] as string;
  }

  /** The `started_at` of the `k`-th newest trace. */
  startedAt(k: number): string {
    return this.#refs[this.#index(k) * REF_STRIDE + R.started] as string;
  }

  /** The `k`-th newest trace as a record of its own (its metadata and steps are copies). */
  record(k: number): TraceRecord {
    const i = this.#index(k);
    const r = i * REF_STRIDE;
    const refs = this.#refs;
    const record: TraceRecord = {
      id: refs[r + R.id] as string,
      entry_point: refs[r + R.entryPoint] as string,
      entry_type: refs[r + R.entryType] as EntryType,
      bucket: refs[r + R.bucket] as string,
      status: refs[r + R.status] as TraceStatus,
      duration_ms: this.#nums[i * NUM_STRIDE]!,
      started_at: refs[r + R.started] as string,
      steps: this.#stepsOf(r, i * NUM_STRIDE),
    };
    const parent = refs[r + R.parent] as string | undefined;
    if (parent !== undefined) record.parent_id = parent;
    const completed = refs[r + R.completed] as string | undefined;
    if (completed !== undefined) record.completed_at = completed;
    const error = refs[r + R.error] as string | undefined;
    if (error !== undefined) record.error = error;
    const metadata = refs[r + R.metadata] as Record<string, string> | undefined;
    if (metadata !== undefined) record.metadata = { ...metadata };
    return record;
  }

  #stepsOf(r: number, n: number): TraceStep[] {
    const overflow = this.#refs[r + R.overflow] as TraceStep[] | undefined;
    if (overflow !== undefined) return overflow.map((s) => structuredClone(s));
    const out: TraceStep[] = [];
    const count = this.#nums[n + 1]!;
    for (let s = 0; s < count; s++) {
      out.push(this.#step(r + R.steps + s * STEP_REFS, n + 2 + s * 2));
    }
    return out;
  }

  #step(r: number, n: number): TraceStep {
    const refs = this.#refs;
    const step: TraceStep = {
      name: refs[r + S.name] as string,
      path: refs[r + S.path] as string,
      bucket: refs[r + S.bucket] as string,
      handler_name: refs[r + S.handler] as string,
      duration_ms: this.#nums[n]!,
      success: this.#nums[n + 1] === 1,
      timestamp: refs[r + S.stamp] as string,
    };
    const error = refs[r + S.error] as string | undefined;
    if (error !== undefined) step.error = error;
    const triggered = refs[r + S.triggered] as TriggeredEventRecord[] | undefined;
    if (triggered !== undefined) step.triggered_events = triggered.map((e) => ({ ...e }));
    return step;
  }

  /** Forgets every trace. */
  clear(): void {
    this.#next = 0;
    this.#size = 0;
    this.#refs.fill(undefined);
    this.#lastMetadata = undefined;
  }

  #index(k: number): number {
    return (this.#next - 1 - k + 2 * this.capacity) % this.capacity;
  }
}

/** Whether two string records have the same keys and values. */
function sameValues(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  let keys = 0;
  for (const key in a) {
    if (a[key] !== b[key]) return false;
    keys++;
  }
  for (const _ in b) keys--;
  return keys === 0;
}
