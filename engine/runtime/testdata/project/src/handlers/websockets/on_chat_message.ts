import type { State } from "../../generated/state.ts";

export function handleOnChatMessage(
  message: { data: unknown },
  connection: { connectionId: string },
  state: State,
) {
  state.send(connection.connectionId, { echo: message.data });
  state.broadcast({ from: connection.connectionId, data: message.data });
  return null;
}
