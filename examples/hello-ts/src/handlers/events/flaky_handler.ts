import type { FlakyEvent } from "../../generated/events/flaky_event.ts";
import { bump, idOf } from "../../lib/store.ts";

// Fails on the first two attempts, succeeds on the third.
export function handleFlakyHandler(event: FlakyEvent): void {
  bump(`flaky_handler:${idOf(event.payload)}:attempts`);
  if (event.attempt < 3) throw new Error(`Attempt ${event.attempt} failed`);
  bump(`flaky_handler:${idOf(event.payload)}`);
}
