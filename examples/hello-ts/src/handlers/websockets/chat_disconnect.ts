import { bump } from "../../lib/store.ts";

export function handleChatDisconnect() {
  bump("chat_disconnect");
}
