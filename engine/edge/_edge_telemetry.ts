/**
 * The telemetry of an edge process: it records raw values on the request path and, at most every
 * `flushMs`, sends them to the main process in one message, where they are replayed into the
 * project's recorder (store, live series, subscribers, OpenTelemetry) with their own clock readings.
 *
 * @module
 */

import type {
  ActiveTrace,
  LogEntry,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TraceStep,
} from "../../telemetry/model.ts";
import type { TelemetrySection } from "../../project/config.ts";
import type { EdgeTraceRecord, TelemetryMessage } from "./protocol.ts";

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
    this.startedMs = start.startedMs ?? Date.now();
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

  /** What crosses to the main process, built at flush, off the request path. */
  toRecord(): EdgeTraceRecord {
    const { start } = this;
    const record: EdgeTraceRecord = {
      id: this.id,
      start: this.extra ? { ...start, metadata: { ...start.metadata, ...this.extra } } : start,
      startedMs: this.startedMs,
      endedMs: this.endedMs,
      status: this.status,
      steps: this.steps ?? [],
    };
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
