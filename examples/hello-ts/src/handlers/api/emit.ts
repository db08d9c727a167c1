import type { EventName, State } from "../../generated/state.ts";

// Publishes any event by name, for tests and the demo.
export function handleEmit(req: { event: string; body: { payload: unknown } }, state: State) {
  state.triggerEvent(req.event as EventName, req.body.payload as never);
  return { data: { emitted: req.event } };
}
