/**
 * The factory behind `[telemetry]`: picks the store by `type`, wraps it in a recorder with the
 * `enable_*` flags, retention and OpenTelemetry spans.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
// The config's shape alone, not the project door (which loads the TOML parser): an edge loads this.
import { TELEMETRY_TYPES, type TelemetrySection } from "../project/config.ts";
import type { LogEntry } from "./model.ts";
import { TelemetryError } from "./errors.ts";
import { createMemoryStore } from "./memory_store.ts";
import { createPrometheusStore } from "./prometheus.ts";
// Each loads its module (and its native code or client) only when the config names it.
import { openInfluxdbStore, openRocksdbStore, openTimescaledbStore } from "./open_store.ts";
import { openOtelBridge } from "./otel.ts";
import { createRecorder, type RecorderOptions, type RecordingTelemetry } from "./recorder.ts";
import type { TelemetryStore } from "./store.ts";

/** The `[telemetry] type` values. */
export { TELEMETRY_TYPES };

/** Options of {@linkcode createTelemetry}. */
export interface CreateTelemetryOptions {
  /** The project root; a relative `[telemetry] path` is under it. */
  root: string;
  /** Least severe log level kept (`ROHAS_LOG` / `[log] level`). Default `info`. */
  logLevel?: LogEntry["level"];
  /** Mirror traces to `@opentelemetry/api` spans. Default true. */
  otel?: boolean;
  /** The instance traces, logs and metrics are marked with (see `RecorderOptions`). Default none. */
  instance?: string;
  /** Batching and clock overrides, for tests. */
  recorder?: Pick<RecorderOptions, "flushIntervalMs" | "batchSize" | "now" | "onError">;
}

/**
 * Creates the telemetry a `[telemetry]` section asks for.
 *
 * @param config the resolved `[telemetry]` section
 * @param options the project root and log level
 * @returns a recording telemetry; `close()` flushes and closes its store
 * @throws {TelemetryError} for an unknown type or a store that cannot be opened
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createTelemetry } from "./create_telemetry.ts";
 * import { parseConfig } from "../project/mod.ts";
 *
 * const config = parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" });
 * const telemetry = await createTelemetry(config.telemetry, { root: ".", otel: false });
 * telemetry.startTrace({ entryPoint: "Health", entryType: "api" }).end("success");
 * assertEquals((await telemetry.traces()).map((t) => t.status), ["success"]);
 * await telemetry.close();
 * ```
 */
export async function createTelemetry(
  config: TelemetrySection,
  options: CreateTelemetryOptions,
): Promise<RecordingTelemetry> {
  const store = await openStore(config, options.root);
  const otel = options.otel === false ? undefined : await openOtelBridge();
  return createRecorder(store, {
    traces: config.enable_traces,
    logs: config.enable_logs,
    metrics: config.enable_metrics,
    retentionDays: config.retention_days,
    maxPersistedPerSecond: config.max_persisted_per_second,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.instance ? { instance: options.instance } : {}),
    ...(otel === undefined ? {} : { otel }),
    ...options.recorder,
  });
}

function openStore(config: TelemetrySection, root: string): Promise<TelemetryStore> {
  const capacity = { maxTraces: config.max_cache_size };
  switch (config.type) {
    case "memory":
      return Promise.resolve(createMemoryStore(capacity));
    case "prometheus":
      return Promise.resolve(createPrometheusStore(capacity));
    case "rocksdb":
      return openRocksdbStore({
        path: isAbsolute(config.path) ? config.path : join(root, config.path),
      });
    case "influxdb":
      return openInfluxdbStore(settingsOf(config));
    case "timescaledb":
      return openTimescaledbStore(settingsOf(config));
    default:
      throw new TelemetryError(
        `Unknown telemetry type "${config.type}": expected one of ${TELEMETRY_TYPES.join(", ")}`,
      );
  }
}

function settingsOf(config: TelemetrySection): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.settings)) {
    if (typeof v === "string" || typeof v === "number") out[k] = String(v);
  }
  return out;
}
