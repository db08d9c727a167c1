import type { EmitRequest, EmitResponse } from "../../generated/api/emit.ts";
import type { EventName, State } from "../../generated/state.ts";

// Publishes any event by name, for tests and the demo.
export function handleEmit(req: EmitRequest, state: State): EmitResponse {
  state.triggerEvent(req.event as EventName, req.body.payload);
  return { data: { emitted: req.event } };
}
