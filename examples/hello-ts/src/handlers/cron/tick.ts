import type { State } from "../../generated/state.ts";
import { bump } from "../../lib/store.ts";

// The result's `data` is the payload of the job's `triggers: [Ticked]`.
export function handleTick(state: State): { data: { id: string; n: number } } {
  const n = bump("tick");
  state.logger.info("Tick", { n });
  return { data: { id: `tick-${n}`, n } };
}
