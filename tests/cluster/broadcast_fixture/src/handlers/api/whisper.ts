interface State {
  send(connectionId: string, message: unknown): void;
}

export function handleWhisper(
  req: { body: { connectionId: string; text: string } },
  state: State,
): unknown {
  state.send(req.body.connectionId, { via: "send", text: req.body.text });
  return { ok: true };
}
