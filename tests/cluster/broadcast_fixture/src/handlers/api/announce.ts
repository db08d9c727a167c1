interface State {
  broadcast(message: unknown, options: { to: "Room" }): void;
}

export function handleAnnounce(req: { body: { text: string } }, state: State): unknown {
  state.broadcast({ via: "api", text: req.body.text }, { to: "Room" });
  return { ok: true };
}
