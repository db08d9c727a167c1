/**
 * Telemetry: traces, logs and metrics (docs/design.md#d11-telemetry). {@linkcode createTelemetry}
 * builds what a `[telemetry]` section asks for: a recorder (batched writes, live metrics,
 * OpenTelemetry spans, retention) over one of the stores (`memory`, `rocksdb`, `prometheus`,
 * `influxdb`, `timescaledb`). Published as `@rohas/cli/telemetry`: a store of your own passes
 * {@linkcode storeConformance} and is given to `createApp({ store })`. The stores that need native
 * code or a database client are loaded only when opened.
 *
 * @module
 */

export type {
  ActiveTrace,
  EntryType,
  LogEntry,
  LogLevel,
  MetricKind,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TraceRecord,
  TraceStatus,
  TraceStep,
  TriggeredEventRecord,
} from "./model.ts";
export type {
  EndedTrace,
  ImmediateStore,
  LogQuery,
  SampleQuery,
  TelemetryStore,
  TraceQuery,
} from "./store.ts";
export type { MemoryStoreOptions } from "./memory_store.ts";
export { createMemoryStore } from "./memory_store.ts";
export type { RocksdbStoreOptions } from "./rocksdb_store.ts";
// Loaded when opened: importing this door loads no native code and no database client.
export { openInfluxdbStore, openRocksdbStore, openTimescaledbStore } from "./open_store.ts";
export type { MetricsHandlerOptions } from "./prometheus.ts";
export {
  createMetricsHandler,
  createPrometheusStore,
  PROMETHEUS_CONTENT_TYPE,
} from "./prometheus.ts";
export type { SeriesSnapshot } from "./metrics_registry.ts";
export { MetricsRegistry } from "./metrics_registry.ts";
export type {
  PersistedRecords,
  RecorderOptions,
  RecordingTelemetry,
  SubscribeOptions,
  TelemetryEvent,
  TelemetryReader,
} from "./recorder.ts";
export { createRecorder } from "./recorder.ts";
export { isoTime } from "./iso_time.ts";
export type { OtelApi } from "./otel.ts";
export { openOtelBridge, OtelBridge } from "./otel.ts";
export type { CreateTelemetryOptions } from "./create_telemetry.ts";
export { createTelemetry, TELEMETRY_TYPES } from "./create_telemetry.ts";
export { TelemetryError } from "./errors.ts";
export type { ConformanceOptions as StoreConformanceOptions, StoreFixture } from "./conformance.ts";
export { sampleTrace, storeConformance } from "./conformance.ts";
