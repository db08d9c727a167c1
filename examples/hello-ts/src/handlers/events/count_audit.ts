import { bump, idOf } from "../../lib/store.ts";

export function handleCountAudit(event: { payload: unknown }) {
  bump(`count_audit:${idOf(event.payload)}`);
}
