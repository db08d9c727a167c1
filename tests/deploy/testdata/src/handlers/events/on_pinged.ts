import type { Pinged } from "../../generated/events/pinged.ts";
import type { State } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/**
 * Fails the first `failures` attempts of each event, then records it as handled, here and in
 * state.kv (which outlives this isolate).
 */
export async function handleOnPinged(event: Pinged, state: State): Promise<void> {
  counters.attempts++;
  const payload = event.payload as { id: string; failures: number };
  if (event.attempt <= payload.failures) throw new Error(`Attempt ${event.attempt} fails`);
  counters.handled.push(payload.id);
  await state.kv.set(["handled", payload.id], counters.isolate);
}
