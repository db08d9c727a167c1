/**
 * A telemetry that records nothing, used when none is passed in.
 *
 * @module
 */

import type { ActiveTrace, StartTraceOptions, Telemetry } from "../telemetry/mod.ts";

/** Creates a telemetry that drops everything but still hands out trace ids.
 *
 * @returns the telemetry
 */
export function createNoopTelemetry(): Telemetry {
  return {
    startTrace(options: StartTraceOptions): ActiveTrace {
      const id = options.id ?? crypto.randomUUID();
      return { id, addStep() {}, end() {} };
    },
    log() {},
    metric() {},
    close: () => Promise.resolve(),
  };
}
