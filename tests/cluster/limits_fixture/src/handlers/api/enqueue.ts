// The result's `data` is the payload of `triggers: [JobQueued]`.
export function handleEnqueue(
  req: { body: { key: string; n: number } },
): { data: { key: string; n: number } } {
  return { data: req.body };
}
