import type { EchoConnection, EchoMessage } from "../../generated/websockets/echo.ts";
import type { State } from "../../generated/state.ts";

export function handleEchoMessage(
  message: EchoMessage,
  connection: EchoConnection,
  state: State,
): { echo: unknown } {
  state.send(connection.connectionId, { note: "sent through state.send" });
  return { echo: message.data };
}
