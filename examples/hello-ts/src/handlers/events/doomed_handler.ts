import { NonRetriableError } from "../../generated/state.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleDoomedHandler(event: { payload: unknown }) {
  bump(`doomed_handler:${idOf(event.payload)}`);
  throw new NonRetriableError("This can never work");
}
