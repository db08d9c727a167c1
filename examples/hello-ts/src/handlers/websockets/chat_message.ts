import type { State } from "../../generated/state.ts";

export function handleChatMessage(
  message: { data: { text: string } },
  connection: { connectionId: string },
  state: State,
) {
  state.setPayload("ChatPosted", { id: message.data.text, from: connection.connectionId });
  return { type: "message", text: message.data.text, from: connection.connectionId };
}
