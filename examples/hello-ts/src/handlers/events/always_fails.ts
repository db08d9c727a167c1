import type { AlwaysFails } from "../../generated/events/always_fails.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleAlwaysFails(event: AlwaysFails): void {
  bump(`always_fails:${idOf(event.payload)}`);
  throw new Error("Still broken");
}
