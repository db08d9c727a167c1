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

import { isoTime } from "./iso_time.ts";
import { hasKeys } from "./_recorded_trace.ts";
import type { EndedTrace } from "./store.ts";
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

/** Number slots of a trace's row: duration, step count, start and end times (NaN when the record
 * gave them as text), then per step its duration and success. */
const N = { duration: 0, steps: 1, started: 2, ended: 3, step: 4 } as const;
const NUM_STRIDE = N.step + INLINE_STEPS * 2;

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
    const n = i * NUM_STRIDE;
    this.#keep(r, record.id, record.parent_id, record.entry_point);
    const refs = this.#refs;
    put(refs, r + R.entryType, record.entry_type);
    put(refs, r + R.bucket, record.bucket);
    put(refs, r + R.status, record.status);
    put(refs, r + R.started, record.started_at);
    put(refs, r + R.completed, record.completed_at);
    put(refs, r + R.error, record.error);
    put(refs, r + R.metadata, this.#shared(record.metadata));
    this.#nums[n] = record.duration_ms;
    this.#pushSteps(r, n, record.steps);
    this.#advance();
  }

  /**
   * Keeps an ended trace from its raw values (no record built): its times are kept as numbers, and
   * their ISO texts made when it is read.
   *
   * @param trace the ended trace
   */
  pushEnded(trace: EndedTrace): void {
    const i = this.#next;
    const r = i * REF_STRIDE;
    const n = i * NUM_STRIDE;
    this.#keep(r, trace.id, trace.parentId, trace.entryPoint);
    const refs = this.#refs;
    const metadata = trace.metadata;
    put(refs, r + R.entryType, trace.entryType);
    put(refs, r + R.bucket, metadata?.path ?? "unknown");
    put(refs, r + R.status, trace.status);
    put(refs, r + R.started, undefined);
    put(refs, r + R.completed, undefined);
    put(refs, r + R.error, trace.error);
    put(refs, r + R.metadata, this.#shared(metadata, { dropEmpty: true }));
    const nums = this.#nums;
    nums[n] = trace.endedMs - trace.startedMs;
    nums[n + N.started] = trace.startedMs;
    nums[n + N.ended] = trace.endedMs;
    const first = trace.firstStep;
    const more = trace.moreSteps;
    if (more !== undefined && more.length >= INLINE_STEPS) {
      this.#pushSteps(r, n, [first!, ...more]);
    } else {
      this.#endedSteps(r, n, first, more);
    }
    this.#advance();
  }

  #endedSteps(
    r: number,
    n: number,
    first: TraceStep | undefined,
    more: readonly TraceStep[] | undefined,
  ): void {
    put(this.#refs, r + R.overflow, undefined);
    if (first === undefined) {
      this.#nums[n + N.steps] = 0;
      return;
    }
    this.#setStep(r + R.steps, n + N.step, first);
    const count = more?.length ?? 0;
    for (let s = 0; s < count; s++) {
      this.#setStep(r + R.steps + (s + 1) * STEP_REFS, n + N.step + (s + 1) * 2, more![s]!);
    }
    this.#nums[n + N.steps] = count + 1;
  }

  /** Writes the identity of the row being written; the times read from strings. */
  #keep(r: number, id: string, parent: string | undefined, entryPoint: string): void {
    const refs = this.#refs;
    refs[r + R.id] = id;
    put(refs, r + R.parent, parent);
    put(refs, r + R.entryPoint, entryPoint);
    const n = this.#next * NUM_STRIDE;
    this.#nums[n + N.started] = Number.NaN;
    this.#nums[n + N.ended] = Number.NaN;
  }

  #advance(): void {
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size += 1;
  }

  /** The metadata to keep: the one kept last when its values are the same (requests of one client
   * within one millisecond), so most kept traces hold no metadata object of their own. Reads copy
   * it, so sharing is not seen. */
  #shared(
    metadata: Record<string, string> | undefined,
    options: { dropEmpty: boolean } = { dropEmpty: false },
  ): Record<string, string> | undefined {
    if (metadata === undefined) return undefined;
    const last = this.#lastMetadata;
    if (last !== undefined && sameValues(metadata, last)) return last;
    if (options.dropEmpty && !hasKeys(metadata)) return undefined;
    this.#lastMetadata = metadata;
    return metadata;
  }

  #pushSteps(r: number, n: number, steps: readonly TraceStep[]): void {
    const count = steps.length;
    this.#nums[n + N.steps] = count;
    if (count > INLINE_STEPS) {
      this.#refs[r + R.overflow] = steps.slice();
      return;
    }
    put(this.#refs, r + R.overflow, undefined);
    for (let s = 0; s < count; s++) {
      this.#setStep(r + R.steps + s * STEP_REFS, n + N.step + s * 2, steps[s]!);
    }
  }

  #setStep(r: number, n: number, step: TraceStep): void {
    const refs = this.#refs;
    put(refs, r + S.name, step.name);
    put(refs, r + S.path, step.path);
    put(refs, r + S.bucket, step.bucket);
    put(refs, r + S.handler, step.handler_name);
    put(refs, r + S.error, step.error);
    put(refs, r + S.stamp, step.timestamp);
    put(refs, r + S.triggered, step.triggered_events);
    this.#nums[n] = step.duration_ms;
    this.#nums[n + 1] = step.success ? 1 : 0;
  }

  /** The id of the `k`-th newest trace. */
  id(k: number): string {
    return this.#refs[this.#index(k) * REF_STRIDE + R.id] as string;
  }

  /** The start of the `k`-th newest trace, in milliseconds since the epoch. */
  startedMs(k: number): number {
    const i = this.#index(k);
    const ms = this.#nums[i * NUM_STRIDE + N.started]!;
    return Number.isNaN(ms) ? Date.parse(this.#refs[i * REF_STRIDE + R.started] as string) : ms;
  }

  /** A time slot of row `i` as text: the text written, or the number written as ISO text. */
  #time(i: number, ref: number, num: number): string | undefined {
    const text = this.#refs[i * REF_STRIDE + ref] as string | undefined;
    if (text !== undefined) return text;
    const ms = this.#nums[i * NUM_STRIDE + num]!;
    return Number.isNaN(ms) ? undefined : isoTime(ms);
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
      duration_ms: this.#nums[i * NUM_STRIDE + N.duration]!,
      started_at: this.#time(i, R.started, N.started)!,
      steps: this.#stepsOf(r, i * NUM_STRIDE),
    };
    const parent = refs[r + R.parent] as string | undefined;
    if (parent !== undefined) record.parent_id = parent;
    const completed = this.#time(i, R.completed, N.ended);
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
    const count = this.#nums[n + N.steps]!;
    for (let s = 0; s < count; s++) {
      out.push(this.#step(r + R.steps + s * STEP_REFS, n + N.step + s * 2));
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

/** Stores a reference unless the slot holds it already: most fields repeat the row overwritten
 * (same route, same handler), and a store of a new object into this long-lived array costs a
 * write barrier. */
function put(refs: unknown[], slot: number, value: unknown): void {
  if (refs[slot] !== value) refs[slot] = value;
}
