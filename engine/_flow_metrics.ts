/**
 * The metrics of events held back by flow controls, one family for every control (label `control`
 * names it, `handler` the event handler): `rohas_flow_held_total` counts events a control held back
 * (waited in a batch, debounced away), `rohas_flow_waiting` is how many wait now in this instance.
 * The workbench's operations page reads both per handler.
 *
 * @module
 */

import type { BatchObserver } from "./_batcher.ts";
import type { EngineParts } from "./parts.ts";

/** The metric names of flow control (labels `handler`, `control`). */
export const FLOW_METRICS: Readonly<{
  held: "rohas_flow_held_total";
  waiting: "rohas_flow_waiting";
}> = Object.freeze({ held: "rohas_flow_held_total", waiting: "rohas_flow_waiting" } as const);

/** Reports held and waiting events of one handler's control.
 *
 * @param parts the engine parts (telemetry)
 * @param labels the handler and the control
 * @returns `held(n)` adds to the counter, `waiting(n)` sets the gauge
 */
export function flowMeter(
  parts: Pick<EngineParts, "telemetry">,
  labels: { handler: string; control: string },
): { held(n: number): void; waiting(n: number): void } {
  // Frozen: the metrics registry finds the series by identity.
  const frozen = Object.freeze({ ...labels });
  const sample = (name: string, kind: "counter" | "gauge", value: number) =>
    parts.telemetry.metric({
      name,
      kind,
      value,
      labels: frozen,
      timestamp: new Date().toISOString(),
    });
  return {
    held: (n) => sample(FLOW_METRICS.held, "counter", n),
    waiting: (n) => sample(FLOW_METRICS.waiting, "gauge", n),
  };
}

/** The observer of a handler's batcher: each event that waited in a batch is held back; the
 * forming batch's size is what waits.
 *
 * @param parts the engine parts (telemetry)
 * @param handler the batched handler's name
 * @returns the observer to give the batcher
 */
export function batchObserver(
  parts: Pick<EngineParts, "telemetry">,
  handler: string,
): BatchObserver {
  const meter = flowMeter(parts, { handler, control: "batch" });
  return {
    waiting: (count) => meter.waiting(count),
    started: (size) => meter.held(size),
  };
}
