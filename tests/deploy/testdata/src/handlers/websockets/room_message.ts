import type { RoomConnection, RoomMessage } from "../../generated/websockets/room.ts";
import type { SocketState } from "../../generated/state.ts";

/** Sends the text to every client of the room, in every isolate. */
export function handleRoomMessage(
  message: RoomMessage,
  _connection: RoomConnection,
  state: SocketState,
): null {
  state.broadcast({ text: message.data.text });
  return null;
}
