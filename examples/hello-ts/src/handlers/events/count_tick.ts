import type { Ticked } from "../../generated/events/ticked.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleCountTick(event: Ticked): void {
  bump(`count_tick:${idOf(event.payload)}`);
}
