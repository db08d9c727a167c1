import type { CountRequest, CountResponse } from "../../generated/api/count.ts";
import type { State } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/** `GET /count`: what this isolate saw. */
export function handleCount(_req: CountRequest, _state: State): CountResponse {
  return { data: counters };
}
