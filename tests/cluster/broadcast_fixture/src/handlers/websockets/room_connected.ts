// The client learns its connection id (it names this instance) from its first message.
export function handleRoomConnected(connection: { connectionId: string }): unknown {
  return { connected: connection.connectionId };
}
