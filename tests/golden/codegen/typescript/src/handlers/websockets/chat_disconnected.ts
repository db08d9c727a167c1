import type { ChatConnection } from "../../generated/websockets/chat.ts";
import type { SocketState } from "../../generated/state.ts";

/** Called when a client of `/ws/chat` disconnects. */
export function handleChatDisconnected(
  connection: ChatConnection,
  state: SocketState,
): Promise<void> {
  state.logger.info("Disconnected", { connectionId: connection.connectionId });
  return Promise.resolve();
}
