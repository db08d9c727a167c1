import { bump, idOf } from "../../lib/store.ts";

export function handleCountTick(event: { payload: unknown }) {
  bump(`count_tick:${idOf(event.payload)}`);
}
