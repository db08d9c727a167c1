import type { RoomConnection } from "../../generated/websockets/room.ts";
import type { SocketState } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/** Tells the client which isolate holds its connection. */
export function handleRoomConnected(_connection: RoomConnection, _state: SocketState): unknown {
  return { isolate: counters.isolate };
}
