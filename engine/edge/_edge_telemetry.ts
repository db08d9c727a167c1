/**
 * The telemetry of an edge Worker: it records raw values on the request path and, at most every
 * `flushMs`, turns them into records and posts them to the main isolate in one message, where the
 * project's recorder ingests them (store, live series, workbench).
 *
 * @module
 */

import { isoTime } from "../../telemetry/iso_time.ts";
import type {
  ActiveTrace,
  LogEntry,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TraceRecord,
  TraceStep,
} from "../../telemetry/model.ts";
import type { TelemetrySection } from "../../project/config.ts";
import type { TelemetryMessage } from "./protocol.ts";

/** Options of {@linkcode createEdgeTelemetry}. */
export interface EdgeTelemetryOptions {
  /** The `[telemetry]` flags. */
  config: Pick<TelemetrySection, "enable_traces" | "enable_logs" | "enable_metrics">;
  /** Sends one batch to the main isolate. */
  post: (batch: TelemetryMessage) => void;
  /** Longest wait before a batch is sent. Default 100. */
  flushMs?: number;
}

/** A telemetry whose records go to the main isolate; `close()` sends what is left. */
export interface EdgeTelemetry extends Telemetry {
  /** Sends everything recorded so far now. */
  flush(): void;
}

/**
 * Creates the forwarding telemetry of an edge Worker.
 *
 * @param options the flags and where batches go
 * @returns the telemetry
 */
export function createEdgeTelemetry(options: EdgeTelemetryOptions): EdgeTelemetry {
  return new ForwardingTelemetry(options);
}

/** A trace as recorded on the request path: the caller's values and two clock readings. */
class EdgeTrace implements ActiveTrace {
  readonly id: string;
  readonly start: StartTraceOptions;
  readonly startedMs: number;
  endedMs = 0;
  status: "success" | "failed" = "success";
  error: string | undefined;
  steps: TraceStep[] | undefined;
  extra: Record<string, string> | undefined;
  readonly #owner: ForwardingTelemetry;

  constructor(owner: ForwardingTelemetry, id: string, start: StartTraceOptions) {
    this.#owner = owner;
    this.id = id;
    this.start = start;
    this.startedMs = Date.now();
  }

  addStep(step: TraceStep): void {
    (this.steps ??= []).push(step);
  }

  annotate(metadata: Record<string, string>): void {
    this.extra = { ...this.extra, ...metadata };
  }

  end(status: "success" | "failed", error?: string): void {
    if (this.endedMs !== 0) return;
    this.endedMs = Date.now();
    this.status = status;
    this.error = error;
    this.#owner.ended(this);
  }

  /** The stored form, built at flush, off the request path. */
  toRecord(): TraceRecord {
    const { start } = this;
    const metadata = this.extra ? { ...start.metadata, ...this.extra } : start.metadata;
    const record: TraceRecord = {
      id: this.id,
      entry_point: start.entryPoint,
      entry_type: start.entryType,
      bucket: metadata?.path ?? "unknown",
      status: this.status,
      duration_ms: this.endedMs - this.startedMs,
      started_at: isoTime(this.startedMs),
      completed_at: isoTime(this.endedMs),
      steps: this.steps ?? [],
    };
    if (start.parentId !== undefined) record.parent_id = start.parentId;
    if (metadata !== undefined && Object.keys(metadata).length > 0) record.metadata = metadata;
    if (this.error !== undefined) record.error = this.error;
    return record;
  }
}

const DISABLED: ActiveTrace = { id: "", addStep() {}, end() {} };

class ForwardingTelemetry implements EdgeTelemetry {
  readonly #options: EdgeTelemetryOptions;
  #traces: EdgeTrace[] = [];
  #logs: LogEntry[] = [];
  #samples: MetricSample[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #flush = () => this.flush();

  constructor(options: EdgeTelemetryOptions) {
    this.#options = options;
  }

  startTrace(start: StartTraceOptions): ActiveTrace {
    const id = start.id ?? crypto.randomUUID();
    if (!this.#options.config.enable_traces) return { ...DISABLED, id };
    return new EdgeTrace(this, id, start);
  }

  /** Queues a trace that ended. */
  ended(trace: EdgeTrace): void {
    this.#traces.push(trace);
    this.#schedule();
  }

  log(entry: LogEntry): void {
    if (!this.#options.config.enable_logs) return;
    this.#logs.push(entry);
    this.#schedule();
  }

  metric(sample: MetricSample): void {
    if (!this.#options.config.enable_metrics) return;
    this.#samples.push(sample);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(this.#flush, this.#options.flushMs ?? 100);
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#traces.length + this.#logs.length + this.#samples.length === 0) return;
    const traces = this.#traces.map((t) => t.toRecord());
    const batch: TelemetryMessage = {
      type: "telemetry",
      traces,
      logs: this.#logs,
      samples: this.#samples,
    };
    this.#traces = [];
    this.#logs = [];
    this.#samples = [];
    this.#options.post(batch);
  }

  close(): Promise<void> {
    this.flush();
    return Promise.resolve();
  }
}
