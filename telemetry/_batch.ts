/**
 * A batch write's trace records, built at flush from the ended traces the recorder kept as raw
 * values (`_recorded_trace.ts`): the ISO texts of start and end times are made here, once per
 * millisecond, not on the request path.
 *
 * @module
 */

import type { TraceRecord } from "./model.ts";
import type { RecordedTrace } from "./_recorded_trace.ts";
import { isoTime } from "./iso_time.ts";

/** The records of ended traces, in the order given.
 *
 * @param traces ended traces
 * @returns their records (sharing the engine's metadata and step objects)
 */
export function traceRecords(traces: readonly RecordedTrace[]): TraceRecord[] {
  const iso = isoTexts();
  const out: TraceRecord[] = new Array(traces.length);
  for (let i = 0; i < traces.length; i++) out[i] = traces[i]!.record(iso);
  return out;
}

/** ISO text of a time, remembering the last two: a trace's start and end times alternate, and
 * consecutive traces mostly share both milliseconds. */
function isoTexts(): (ms: number) => string {
  let [aMs, aText, bMs, bText] = [Number.NaN, "", Number.NaN, ""];
  return (ms) => {
    if (ms === aMs) return aText;
    if (ms === bMs) return bText;
    [bMs, bText] = [aMs, aText];
    [aMs, aText] = [ms, isoTime(ms)];
    return aText;
  };
}
