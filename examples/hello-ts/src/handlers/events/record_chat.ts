import { bump, idOf } from "../../lib/store.ts";

export function handleRecordChat(event: { payload: unknown }) {
  bump(`record_chat:${idOf(event.payload)}`);
}
