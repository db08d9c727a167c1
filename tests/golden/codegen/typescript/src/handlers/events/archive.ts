import type { AuditWritten } from "../../generated/events/audit_written.ts";
import type { State } from "../../generated/state.ts";

/** Handles event `AuditWritten`; a batched event arrives as an array. Throw to retry. */
export function handleArchive(event: AuditWritten[], state: State): Promise<void> {
  state.logger.info("Received events", { batch: Array.isArray(event) });
  return Promise.resolve();
}
