import type { UserCreated } from "../../generated/events/user_created.ts";
import type { ChatPosted } from "../../generated/events/chat_posted.ts";
import type { State } from "../../generated/state.ts";

/** Handles event `UserCreated`, `ChatPosted`; a batched event arrives as an array. Throw to retry. */
export function handleAuditLog(event: UserCreated | ChatPosted[], state: State): Promise<void> {
  state.logger.info("Received events", { batch: Array.isArray(event) });
  return Promise.resolve();
}
