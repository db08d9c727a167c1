// The result's `data` is the payload of `triggers: [Pinged]`.
export function handlePing(req: { body: { k: string; n: number } }): { data: unknown } {
  return { data: req.body };
}
