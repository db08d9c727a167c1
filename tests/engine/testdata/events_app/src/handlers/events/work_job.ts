import { bump, sleep } from "../../lib/store.ts";

// Takes payload.ms, then counts the job as handled.
export async function handleWorkJob(event: { payload: { n: number; ms: number } }) {
  await sleep(event.payload.ms);
  bump(`handled:${event.payload.n}`);
}
