import type { State } from "../../generated/state.ts";

export function handleEchoMessage(
  message: { data: unknown },
  connection: { connectionId: string },
  state: State,
) {
  state.send(connection.connectionId, { note: "sent through state.send" });
  return { echo: message.data };
}
