import type { CountRequest, CountResponse } from "../../generated/api/count.ts";
import type { State } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/** `GET /count`: what this isolate saw, and what every isolate stored in state.kv. */
export async function handleCount(_req: CountRequest, state: State): Promise<CountResponse> {
  const stored = await Array.fromAsync(state.kv.list({ prefix: ["pings"] }));
  const handled = await Array.fromAsync(state.kv.list({ prefix: ["handled"] }));
  const handledAnywhere = handled.map((entry) => String(entry.key[1]));
  return { data: { ...counters, stored: stored.length, handledAnywhere } };
}
