import type { ChatConnection, ChatMessage } from "../../generated/websockets/chat.ts";
import type { State } from "../../generated/state.ts";

/** Called for each message on `/ws/chat`; a returned value is sent back. */
export function handleChatMessage(
  message: ChatMessage,
  connection: ChatConnection,
  state: State,
): Promise<unknown> {
  state.logger.info("Message received", { connectionId: connection.connectionId, at: message.timestamp });
  return Promise.resolve(null);
}
