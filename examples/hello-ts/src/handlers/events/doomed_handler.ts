import type { DoomedEvent } from "../../generated/events/doomed_event.ts";
import { NonRetriableError } from "../../generated/state.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleDoomedHandler(event: DoomedEvent): void {
  bump(`doomed_handler:${idOf(event.payload)}`);
  throw new NonRetriableError("This can never work");
}
