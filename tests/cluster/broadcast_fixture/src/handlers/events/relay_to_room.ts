interface State {
  broadcast(message: unknown, options: { to: "Room" }): void;
}

export function handleRelayToRoom(event: { payload: { text: string } }, state: State): void {
  state.broadcast({ via: "event", text: event.payload.text }, { to: "Room" });
}
