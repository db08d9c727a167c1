import type { RoomConnection } from "../../generated/websockets/room.ts";
import type { State } from "../../generated/state.ts";
import { counters } from "../../counters.ts";

/** Tells the client which isolate holds its connection. */
export function handleRoomConnected(_connection: RoomConnection, _state: State): unknown {
  return { isolate: counters.isolate };
}
