/**
 * The store of an edge's recorder under `forward` telemetry: each batch the recorder writes goes to
 * the main process, which writes it to the project's store. The recorder does the rest where the
 * request was served: it counts the metrics, applies its share of `max_persisted_per_second` and
 * builds the records at flush, so the main process receives at most that share per second.
 *
 * @module
 */

import type { LogEntry, MetricSample, TraceRecord } from "../../telemetry/mod.ts";
import type { TelemetryStore } from "../../telemetry/mod.ts";
import type { RecordsMessage } from "./protocol.ts";

/**
 * Creates the store. It keeps nothing: its queries answer with nothing (the main process's store
 * has the records, and the federated reader asks it too).
 *
 * @param post sends one message to the main process
 * @returns the store
 */
export function createForwardingStore(post: (message: RecordsMessage) => void): TelemetryStore {
  const send = (records: Partial<Omit<RecordsMessage, "type">>) => {
    post({ type: "records", traces: [], logs: [], samples: [], ...records });
    return Promise.resolve();
  };
  return {
    type: "forward",
    writeTraces: (traces: readonly TraceRecord[]) => send({ traces }),
    writeLogs: (logs: readonly LogEntry[]) => send({ logs }),
    writeSamples: (samples: readonly MetricSample[]) => send({ samples }),
    queryTraces: () => Promise.resolve([]),
    getTrace: () => Promise.resolve(undefined),
    queryLogs: () => Promise.resolve([]),
    querySamples: () => Promise.resolve([]),
    prune: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };
}
