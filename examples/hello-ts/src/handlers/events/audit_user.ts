import type { UserCreated } from "../../generated/events/user_created.ts";
import type { State } from "../../generated/state.ts";
import { bump, idOf } from "../../lib/store.ts";

export async function handleAuditUser(event: UserCreated, state: State): Promise<void> {
  bump(`audit_user:${idOf(event.payload)}`);
  // Event handlers run in the main process's Workers; the entry is there for every API handler.
  await state.kv.set(["audited", event.payload.id], { at: event.timestamp });
}
