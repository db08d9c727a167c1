import type { ChatConnection } from "../../generated/websockets/chat.ts";

// The returned value is sent to the new client.
export function handleChatConnect(
  connection: ChatConnection,
): { type: string; connectionId: string } {
  return { type: "welcome", connectionId: connection.connectionId };
}
