import { bump, idOf } from "../../lib/store.ts";

export function handleAuditUser(event: { payload: unknown }) {
  bump(`audit_user:${idOf(event.payload)}`);
}
