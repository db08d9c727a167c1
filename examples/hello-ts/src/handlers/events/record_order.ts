import { bump, idOf } from "../../lib/store.ts";

export function handleRecordOrder(event: { payload: unknown }) {
  bump(`record_order:${idOf(event.payload)}`);
}
