interface SocketState {
  broadcast(message: unknown, options?: { to?: "Room" }): void;
}

// `broadcast: true`: the returned value goes to every client; state.broadcast without an
// endpoint goes to this handler's own endpoint.
export function handleRoomMessage(
  message: { data: { text: string } },
  _connection: unknown,
  state: SocketState,
): unknown {
  state.broadcast({ via: "ws-state", text: message.data.text });
  return { via: "ws", text: message.data.text };
}
