interface State {
  broadcast(message: unknown, options: { to: "Room" }): void;
}

export function handleShout(req: { body: { text: string } }, state: State): unknown {
  // @ts-expect-error: outside a WebSocket handler the endpoint must be named (a runtime error too).
  state.broadcast({ via: "shout", text: req.body.text });
  return { ok: true };
}
