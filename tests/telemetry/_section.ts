// A `[telemetry]` section with every flag on, for the telemetry tests and measurements.
import type { TelemetrySection } from "../../project/mod.ts";

/** The resolved `[telemetry]` section of a type, defaults as project/config.ts documents them. */
export function telemetrySection(
  type: string,
  extra: Partial<TelemetrySection> = {},
): TelemetrySection {
  return {
    type,
    path: ".rohas/telemetry",
    retention_days: 30,
    max_cache_size: 1000,
    max_persisted_per_second: 200,
    enable_metrics: true,
    enable_logs: true,
    enable_traces: true,
    settings: {},
    ...extra,
  };
}
