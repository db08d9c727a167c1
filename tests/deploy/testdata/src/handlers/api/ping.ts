import type { PingRequest, PingResponse } from "../../generated/api/ping.ts";
import type { State } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/** `POST /ping`: stores the ping in state.kv and publishes Pinged, whose handler fails `failures`
 * times before it succeeds. */
export async function handlePing(req: PingRequest, state: State): Promise<PingResponse> {
  const id = crypto.randomUUID();
  await state.kv.set(["pings", id], true);
  return { data: { id, failures: req.body.failures, from: counters.isolate } };
}
