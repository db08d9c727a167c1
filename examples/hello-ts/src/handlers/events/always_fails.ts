import { bump, idOf } from "../../lib/store.ts";

export function handleAlwaysFails(event: { payload: unknown }) {
  bump(`always_fails:${idOf(event.payload)}`);
  throw new Error("Still broken");
}
