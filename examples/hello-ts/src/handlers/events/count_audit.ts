import type { UserAudited } from "../../generated/events/user_audited.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleCountAudit(event: UserAudited): void {
  bump(`count_audit:${idOf(event.payload)}`);
}
