import type { TickerConnection } from "../../generated/websockets/ticker.ts";
import type { SocketState } from "../../generated/state.ts";

/** Called when a client connects to `/ws/ticker`; a returned value is sent to it. */
export function handleTickerConnected(
  connection: TickerConnection,
  state: SocketState,
): Promise<unknown> {
  state.logger.info("Connected", { connectionId: connection.connectionId });
  return Promise.resolve(null);
}
