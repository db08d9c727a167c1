import type { ChatConnection } from "../../generated/websockets/chat.ts";
import type { State } from "../../generated/state.ts";

/** Called when a client connects to `/ws/chat`; a returned value is sent to it. */
export function handleChatConnected(
  connection: ChatConnection,
  state: State,
): Promise<unknown> {
  state.logger.info("Connected", { connectionId: connection.connectionId });
  return Promise.resolve(null);
}
