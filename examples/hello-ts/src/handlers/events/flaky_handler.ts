import { bump, idOf } from "../../lib/store.ts";

// Fails on the first two attempts, succeeds on the third.
export function handleFlakyHandler(event: { payload: unknown; attempt: number }) {
  bump(`flaky_handler:${idOf(event.payload)}:attempts`);
  if (event.attempt < 3) throw new Error(`Attempt ${event.attempt} failed`);
  bump(`flaky_handler:${idOf(event.payload)}`);
}
