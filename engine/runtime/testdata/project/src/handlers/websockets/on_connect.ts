import type { State } from "../../generated/state.ts";

export function onConnect(connection: { connectionId: string; path: string }, state: State) {
  state.send(connection.connectionId, "welcome");
  return { path: connection.path };
}
