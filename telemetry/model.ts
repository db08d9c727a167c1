/**
 * The telemetry data model and the interface the engine records through
 * (docs/design.md#d11-telemetry). Record shapes keep the original workbench JSON
 * (docs/compatibility.md#workbench-api, snake_case keys), extended with parent links, trace ids on
 * logs, and metrics.
 *
 * @module
 */

/** Log levels, most to least severe. */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/** What started a trace. */
export type EntryType = "api" | "event" | "cron" | "websocket";

/** A trace's state. */
export type TraceStatus = "running" | "success" | "failed";

/** An event published during a step. */
export interface TriggeredEventRecord {
  /** The event published. */
  event_name: string;
  /** ISO 8601 time it was published. */
  timestamp: string;
  /** How long publishing took. */
  duration_ms: number;
}

/** One step of a trace: a middleware, a handler, or publishing triggers. */
export interface TraceStep {
  /** The handler name, `middleware:<name>`, or `<Source> triggers`. */
  name: string;
  /** The handler name again (the original's shape). */
  path: string;
  /** The handler name again (the original's shape). */
  bucket: string;
  /** The handler that ran. */
  handler_name: string;
  /** How long the step took. */
  duration_ms: number;
  /** Whether the step succeeded. */
  success: boolean;
  /** The failure message, when it failed. */
  error?: string;
  /** ISO 8601 time the step started. */
  timestamp: string;
  /** Events the step published. */
  triggered_events?: TriggeredEventRecord[];
}

/** One API request, event delivery, cron run or WebSocket phase. */
export interface TraceRecord {
  /** The trace id (a UUID), also sent as `X-Rohas-Trace-Id`. */
  id: string;
  /** The trace that caused this one (an API call that published the event), or absent. */
  parent_id?: string;
  /** The API, event, cron or `<Ws> (connect|message|disconnect)` name. */
  entry_point: string;
  /** What started the trace. */
  entry_type: EntryType;
  /** `metadata.path`, or `unknown`. */
  bucket: string;
  /** Running until ended. */
  status: TraceStatus;
  /** Completed minus started, in milliseconds; 0 while running. */
  duration_ms: number;
  /** ISO 8601 start time. */
  started_at: string;
  /** ISO 8601 end time, once ended. */
  completed_at?: string;
  /** Middlewares, handlers and trigger publishing, in order. */
  steps: TraceStep[];
  /** Why it failed. */
  error?: string;
  /** Entry-specific facts (method, path, event, cron_name, connection_id...). */
  metadata?: Record<string, string>;
}

/** A structured log line. `trace_id` and `handler` link it to what produced it. */
export interface LogEntry {
  /** ISO 8601. */
  timestamp: string;
  /** Severity. */
  level: LogLevel;
  /** Where it came from (`handler:<name>`, an engine module). */
  target: string;
  /** The message. */
  message: string;
  /** Structured fields, as strings. */
  fields: Record<string, string>;
  /** The trace that produced it. */
  trace_id?: string;
  /** The handler that logged it. */
  handler?: string;
  /** The span it was logged in (`handler_log` for `state.logger`). */
  span_name?: string;
  /** Fields of that span. */
  span_fields: Record<string, string>;
}

/** Metric kinds. */
export type MetricKind = "counter" | "histogram" | "gauge";

/** A metric sample. Counters add `value`; histograms observe it; gauges set it. */
export interface MetricSample {
  /** Such as `handler_duration_ms` or `rohas_events_published_total`. */
  name: string;
  /** How samples of this name combine. */
  kind: MetricKind;
  /** The number. */
  value: number;
  /** Dimensions (handler, topic, route...). A frozen set reused across samples is found faster. */
  labels: Record<string, string>;
  /** ISO 8601. */
  timestamp: string;
}

/** Options to start a trace. */
export interface StartTraceOptions {
  /** The trace's `entry_point`. */
  entryPoint: string;
  /** The trace's `entry_type`. */
  entryType: EntryType;
  /** Reuse this id (for example the id carried by an event envelope). Default: a new UUID. */
  id?: string;
  /** The trace that caused this one (from the event envelope's `parent_id`). */
  parentId?: string;
  /**
   * The W3C `traceparent` of the cause's OpenTelemetry span (from the event envelope), for a cause
   * recorded in another process: this trace's span becomes its child there too.
   */
  traceparent?: string;
  /**
   * The trace's `metadata`. The telemetry may keep this object: build one per trace, do not change
   * it. With {@linkcode StartTraceOptions.lazyMetadata} it only stands for the whole until that is
   * built, so it may be a frozen object shared by many traces (an API route's `{ method, path }`).
   */
  metadata?: Record<string, string>;
  /**
   * Builds the trace's whole metadata (`metadata` then stands for it until then, and must hold
   * what the telemetry counts metrics by: `method`, `path`), only for a trace that is kept or read:
   * under load a recorder keeps a share of the traces (`max_persisted_per_second`) and counts the
   * rest, which then skip gathering what the request's metadata costs (the peer address is an op).
   * Called at most once, and never after the trace's `end` returned (it may read the request).
   * Given only to a telemetry whose {@linkcode Telemetry.lazyMetadata} is true.
   */
  lazyMetadata?: () => Record<string, string>;
  /**
   * When the trace started, in milliseconds since the epoch, for a caller that has read the clock
   * already (such as for `metadata.datetime_utc`): a clock read costs about 60 ns on some virtual
   * machines, a trace otherwise reads it twice. Default: the telemetry's clock, now.
   */
  startedMs?: number;
}

/** A trace being recorded. */
export interface ActiveTrace {
  /** The trace id. */
  readonly id: string;
  /** Appends a step. */
  addStep(step: TraceStep): void;
  /**
   * Adds metadata while the trace runs, such as the HTTP `status` of an API trace (which then
   * labels the request metrics). Optional: a telemetry may ignore it.
   */
  annotate?(metadata: Record<string, string>): void;
  /**
   * Ends the trace once; later calls do nothing. `endedMs` (milliseconds since the epoch) is when it
   * ended, when the caller knows it already (such as the end of the handler it answered with): a
   * clock read saved. Default: the telemetry's clock, now.
   */
  end(status: "success" | "failed", error?: string, endedMs?: number): void;
  /**
   * The W3C `traceparent` of this trace's OpenTelemetry span, for events it publishes; undefined
   * when no span records it. Optional: a telemetry without OpenTelemetry has none.
   */
  traceparent?(): string | undefined;
}

/** What the engine records through. Implementations batch writes off the request path. */
export interface Telemetry {
  /** Whether {@linkcode StartTraceOptions.lazyMetadata} is understood. Default false. */
  readonly lazyMetadata?: boolean;
  /** Starts a trace; it is listed as running until ended. */
  startTrace(options: StartTraceOptions): ActiveTrace;
  /** Records a log entry. */
  log(entry: LogEntry): void;
  /** Records a metric sample. */
  metric(sample: MetricSample): void;
  /** Flushes pending writes and closes the store. */
  close(): Promise<void>;
}
