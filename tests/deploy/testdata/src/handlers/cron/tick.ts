import type { State } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/** Counts its runs. */
export function handleTick(_state: State): void {
  counters.ticks++;
}
