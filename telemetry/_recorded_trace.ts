/**
 * A running trace as the recorder keeps it: the raw values the engine passed (strings, numbers,
 * its metadata object, its step objects) and nothing built from them. The record the stores and
 * the workbench read is built only when it is read, or at batch flush.
 *
 * @module
 */

import type {
  ActiveTrace,
  EntryType,
  StartTraceOptions,
  TraceRecord,
  TraceStatus,
  TraceStep,
} from "./model.ts";
import { isoTime } from "./iso_time.ts";

/** What a running trace tells the recorder. */
export interface TraceOwner {
  /** Added to a trace's metadata when it is built (the recorder's `instance`), or undefined. */
  readonly extra: Readonly<Record<string, string>> | undefined;
  /** A step was added (for OpenTelemetry). */
  stepped(trace: RecordedTrace, step: TraceStep): void;
  /** The trace ended, once: its status, error and end time are set. */
  ended(trace: RecordedTrace): void;
  /** The owner's clock, in milliseconds since the epoch. */
  now(): number;
  /** The W3C `traceparent` of a trace's OpenTelemetry span, if one records it. */
  traceparent(id: string): string | undefined;
}

/**
 * The running trace the engine holds: one object per trace, no closures. Running traces form a
 * doubly linked list through these objects, so starting and ending a trace hashes nothing.
 */
export class RecordedTrace implements ActiveTrace {
  /** The trace id. */
  readonly id: string;
  /** The record's `entry_point`. */
  readonly entryPoint: string;
  /** The record's `entry_type`. */
  readonly entryType: EntryType;
  /** The record's `parent_id`, or undefined. */
  readonly parentId: string | undefined;
  /**
   * The metadata as given (the engine's object, kept, not copied), before the trace's own
   * additions and its lazy part: what {@linkcode RecordedTrace.metadata} reads only once needed.
   */
  #given: Record<string, string> | undefined;
  /** The lazy part still to build (`StartTraceOptions.lazyMetadata`), or undefined. */
  #lazy: (() => Record<string, string>) | undefined;
  /** Added to the metadata when it is built (the recorder's `instance`), or undefined. */
  readonly #extra: Readonly<Record<string, string>> | undefined;
  /** Whether {@linkcode RecordedTrace.metadata} is built (`#given` then holds it). */
  #built: boolean;
  /** When it started, in milliseconds since the epoch. */
  readonly startedMs: number;
  /** The first step (most traces have one or two). */
  firstStep: TraceStep | undefined;
  /** The steps after the first. */
  moreSteps: TraceStep[] | undefined;
  /** Running until ended. */
  status: TraceStatus = "running";
  /** When it ended, in milliseconds since the epoch; 0 while running. */
  endedMs = 0;
  /** Why it failed. */
  error: string | undefined;
  readonly #owner: TraceOwner;
  #running = true;
  #newer: RecordedTrace | undefined;
  #older: RecordedTrace | undefined;

  /**
   * Its id, start time and what its metadata gets once built come from `start` and the owner: no
   * object per trace to carry them.
   *
   * @param owner the recorder
   * @param start what the engine started it with
   */
  constructor(owner: TraceOwner, start: StartTraceOptions) {
    this.#owner = owner;
    this.id = start.id ?? crypto.randomUUID();
    this.entryPoint = start.entryPoint;
    this.entryType = start.entryType;
    this.parentId = start.parentId;
    this.#given = start.metadata;
    this.#lazy = start.lazyMetadata;
    this.#extra = owner.extra;
    this.#built = this.#lazy === undefined && this.#extra === undefined;
    this.startedMs = start.startedMs ?? owner.now();
  }

  /**
   * The trace's metadata, built on the first read: the given object, its lazy part and the
   * recorder's additions. Read it while the trace runs or in its `end` (the lazy part may read the
   * request), which the recorder does for every trace it keeps.
   */
  get metadata(): Record<string, string> | undefined {
    if (this.#built) return this.#given;
    this.#built = true;
    const lazy = this.#lazy;
    this.#lazy = undefined;
    // A lazy part is a fresh object of this trace's own: completed in place, not copied.
    const built = lazy === undefined ? { ...this.#given } : lazy();
    const extra = this.#extra;
    if (extra !== undefined) { for (const key in extra) built[key] = extra[key]!; }
    return this.#given = built;
  }

  /**
   * The metadata as far as it is built, without building the rest: the given object stands for the
   * whole until then, and holds what metrics are counted by (`method`, `path`, `status`).
   */
  get knownMetadata(): Record<string, string> | undefined {
    return this.#given;
  }

  /** The traces of the list that starts at `newest`, newest first. */
  static list(newest: RecordedTrace | undefined): RecordedTrace[] {
    const out: RecordedTrace[] = [];
    for (let t = newest; t !== undefined; t = t.#older) out.push(t);
    return out;
  }

  /** Puts this trace in front of the list that starts at `newest`; returns the new first. */
  linkBefore(newest: RecordedTrace | undefined): RecordedTrace {
    this.#older = newest;
    if (newest !== undefined) newest.#newer = this;
    return this;
  }

  /** Takes this trace out of the list that starts at `newest`; returns that list's first. */
  unlink(newest: RecordedTrace | undefined): RecordedTrace | undefined {
    const newer = this.#newer;
    const older = this.#older;
    if (newer !== undefined) newer.#older = older;
    if (older !== undefined) older.#newer = newer;
    this.#newer = undefined;
    this.#older = undefined;
    return newest === this ? older : newest;
  }

  addStep(step: TraceStep): void {
    if (!this.#running) return;
    if (this.firstStep === undefined) this.firstStep = step;
    else if (this.moreSteps === undefined) this.moreSteps = [step];
    else this.moreSteps.push(step);
    this.#owner.stepped(this, step);
  }

  annotate(metadata: Record<string, string>): void {
    if (this.#running) this.#given = { ...this.metadata, ...metadata };
  }

  end(status: "success" | "failed", error?: string, endedMs?: number): void {
    if (!this.#running) return;
    this.#running = false;
    this.endedMs = endedMs ?? this.#owner.now();
    this.status = status;
    this.error = error;
    this.#owner.ended(this);
  }

  traceparent(): string | undefined {
    return this.#owner.traceparent(this.id);
  }

  /** The steps so far, as a new array (of the engine's step objects). */
  steps(): TraceStep[] {
    if (this.firstStep === undefined) return [];
    return this.moreSteps === undefined ? [this.firstStep] : [this.firstStep, ...this.moreSteps];
  }

  /**
   * The trace as a record, sharing the engine's metadata and step objects (a store copies or
   * serialises what it keeps).
   *
   * @param iso ISO text of a time. Default {@linkcode isoTime}
   */
  record(iso: (ms: number) => string = isoTime): TraceRecord {
    const metadata = this.metadata;
    const record: TraceRecord = {
      id: this.id,
      entry_point: this.entryPoint,
      entry_type: this.entryType,
      bucket: metadata?.path ?? "unknown",
      status: this.status,
      duration_ms: this.status === "running" ? 0 : this.endedMs - this.startedMs,
      started_at: iso(this.startedMs),
      steps: this.steps(),
    };
    if (this.parentId !== undefined) record.parent_id = this.parentId;
    if (this.status !== "running") record.completed_at = iso(this.endedMs);
    if (this.error !== undefined) record.error = this.error;
    if (metadata !== undefined && hasKeys(metadata)) record.metadata = metadata;
    return record;
  }
}

/** Whether an object has an own enumerable key, without listing them.
 *
 * @param object the object
 * @returns true when it has one
 */
export function hasKeys(object: Record<string, string>): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
