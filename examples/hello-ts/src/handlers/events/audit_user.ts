import type { UserCreated } from "../../generated/events/user_created.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleAuditUser(event: UserCreated): void {
  bump(`audit_user:${idOf(event.payload)}`);
}
