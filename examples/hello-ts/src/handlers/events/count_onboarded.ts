import { bump, idOf } from "../../lib/store.ts";

export function handleCountOnboarded(event: { payload: unknown }) {
  bump(`count_onboarded:${idOf(event.payload)}`);
}
