import type { ChatPosted } from "../../generated/events/chat_posted.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleRecordChat(event: ChatPosted): void {
  bump(`record_chat:${idOf(event.payload)}`);
}
