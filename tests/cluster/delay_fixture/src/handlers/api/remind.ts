// The payload carries its due time, so the handler can say how late it ran.
export function handleRemind(
  req: { body: { id: string; delayMs: number } },
  state: { triggerEvent(e: string, p: unknown, o: { delay: number; key: string }): void },
): { data: { dueAt: number } } {
  const dueAt = Date.now() + req.body.delayMs;
  state.triggerEvent("Reminded", { id: req.body.id, dueAt }, {
    delay: req.body.delayMs,
    key: req.body.id,
  });
  return { data: { dueAt } };
}
