import type { AuditWritten } from "../../generated/events/audit_written.ts";
import type { State } from "../../generated/state.ts";

/** Handles event `AuditWritten`. Throw to retry it. */
export function handleArchive(event: AuditWritten, state: State): Promise<void> {
  state.logger.info("Received event", { id: event.id, attempt: event.attempt });
  return Promise.resolve();
}
