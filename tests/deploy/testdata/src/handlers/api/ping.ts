import type { PingRequest, PingResponse } from "../../generated/api/ping.ts";
import type { State } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/** `POST /ping`: publishes Pinged, whose handler fails `failures` times before it succeeds. */
export function handlePing(req: PingRequest, _state: State): PingResponse {
  return { data: { id: crypto.randomUUID(), failures: req.body.failures, from: counters.isolate } };
}
