export function handlePing(): unknown {
  return { pong: true };
}
