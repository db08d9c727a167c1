// The result's `data` is the payload of the triggered Relayed event.
export function handleRelay(req: { body: { text: string } }): unknown {
  return { data: { text: req.body.text } };
}
