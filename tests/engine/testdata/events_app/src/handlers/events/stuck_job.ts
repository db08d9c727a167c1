import { bump, sleep } from "../../lib/store.ts";

// Outlives the handler timeout (payload.ms is longer), then writes its side effect.
export async function handleStuckJob(
  event: { payload: { n: number; ms: number }; attempt: number },
) {
  bump(`stuck:started:${event.attempt}`);
  await sleep(event.payload.ms);
  bump(`stuck:effect:${event.attempt}`);
}
