import type { ChatConnection } from "../../generated/websockets/chat.ts";
import type { SocketState } from "../../generated/state.ts";

/** Called when a client connects to `/ws/chat`; a returned value is sent to it. */
export function handleChatConnected(
  connection: ChatConnection,
  state: SocketState,
): Promise<unknown> {
  state.logger.info("Connected", { connectionId: connection.connectionId });
  return Promise.resolve(null);
}
