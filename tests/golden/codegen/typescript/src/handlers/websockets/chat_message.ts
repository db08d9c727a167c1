import type { ChatConnection, ChatMessage } from "../../generated/websockets/chat.ts";
import type { SocketState } from "../../generated/state.ts";

/** Called for each message on `/ws/chat`; a returned value is sent back. */
export function handleChatMessage(
  message: ChatMessage,
  connection: ChatConnection,
  state: SocketState,
): Promise<unknown> {
  const fields = { connectionId: connection.connectionId, at: message.timestamp };
  state.logger.info("Message received", fields);
  return Promise.resolve(null);
}
