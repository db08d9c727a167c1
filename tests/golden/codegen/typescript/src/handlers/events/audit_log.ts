import type { UserCreated } from "../../generated/events/user_created.ts";
import type { ChatPosted } from "../../generated/events/chat_posted.ts";
import type { State } from "../../generated/state.ts";

/** Handles event `UserCreated`, `ChatPosted`. Throw to retry it. */
export function handleAuditLog(event: UserCreated | ChatPosted, state: State): Promise<void> {
  state.logger.info("Received event", { id: event.id, attempt: event.attempt });
  return Promise.resolve();
}
