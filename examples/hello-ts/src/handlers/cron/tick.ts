import type { State } from "../../generated/state.ts";
import { bump } from "../../lib/store.ts";

export function handleTick(state: State) {
  const n = bump("tick");
  state.logger.info("Tick", { n });
  return { data: { id: `tick-${n}`, n } };
}
