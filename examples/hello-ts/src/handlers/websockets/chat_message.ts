import type { ChatConnection, ChatMessage } from "../../generated/websockets/chat.ts";
import type { SocketState } from "../../generated/state.ts";

// `broadcast: true`: the returned value goes to every connection of the endpoint.
export function handleChatMessage(
  message: ChatMessage,
  connection: ChatConnection,
  state: SocketState,
): { type: string; text: string; from: string } {
  state.setPayload("ChatPosted", { id: message.data.text, from: connection.connectionId });
  return { type: "message", text: message.data.text, from: connection.connectionId };
}
