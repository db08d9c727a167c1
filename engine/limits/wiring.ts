/**
 * Each handler's {@linkcode Limiter} as the event wiring asks for it, over the shared state, with
 * what it holds back counted in the flow metrics (engine/_flow_metrics.ts).
 *
 * @module
 */

import type { LogEntry } from "../../telemetry/mod.ts";
import type { SubscriptionSpec } from "../app_model.ts";
import type { EngineParts } from "../parts.ts";
import { createMemoryKvBackend, type Kv, kvOver } from "../../state/mod.ts";
import { flowMeter } from "../_flow_metrics.ts";
import { type LimitControl, Limiter } from "./limiter.ts";

/**
 * Makes the limiters of one subscription pass over the model.
 *
 * @param parts the engine parts (telemetry; the config's instance id)
 * @param sharedState the state every instance shares; undefined: a store of this process only
 * @returns a function giving a handler's limiter, or null when it declares no limit
 */
export function limitersOf(
  parts: Pick<EngineParts, "telemetry" | "config">,
  sharedState: Kv | undefined,
): (sub: SubscriptionSpec) => Limiter | null {
  const kv = sharedState ?? kvOver(createMemoryKvBackend());
  const instanceId = parts.config.server.instance_id || `pid-${Deno.pid}`;
  return (sub) => {
    const handler = sub.handler.name;
    const meters = new Map<LimitControl, ReturnType<typeof flowMeter>>();
    const meter = (control: LimitControl) => {
      let found = meters.get(control);
      if (!found) meters.set(control, found = flowMeter(parts, { handler, control }));
      return found;
    };
    return Limiter.of(sub.controls, {
      kv,
      instanceId,
      group: sub.group,
      onHeld: (control) => meter(control).held(1),
      onWaiting: (control, count) => meter(control).waiting(count),
      onError: (error) => parts.telemetry.log(limitErrorLog(handler, error)),
    });
  };
}

function limitErrorLog(handler: string, error: Error): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "warn",
    target: "rohas::limits",
    message: error.message,
    fields: { error: error.name },
    handler,
    span_fields: {},
  };
}
