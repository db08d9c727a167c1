export function handleChatConnect(connection: { connectionId: string }) {
  return { type: "welcome", connectionId: connection.connectionId };
}
