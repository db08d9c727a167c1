import type { ChatConnection } from "../../generated/websockets/chat.ts";
import { bump } from "../../lib/store.ts";

export function handleChatDisconnect(_connection: ChatConnection): void {
  bump("chat_disconnect");
}
