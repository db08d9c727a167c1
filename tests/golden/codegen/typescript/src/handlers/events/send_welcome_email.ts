import type { UserCreated } from "../../generated/events/user_created.ts";
import type { State } from "../../generated/state.ts";

/** Handles event `UserCreated`. Throw to retry it. */
export function handleSendWelcomeEmail(event: UserCreated, state: State): Promise<void> {
  state.logger.info("Received event", { id: event.id, attempt: event.attempt });
  return Promise.resolve();
}
