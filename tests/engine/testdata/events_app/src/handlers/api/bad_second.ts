// A valid manual trigger first, then a result that lacks "ms" for both schema triggers.
export function handleBadSecond(
  _req: unknown,
  state: { triggerEvent(event: string, payload: unknown): void },
) {
  state.triggerEvent("JobQueued", { n: 301, ms: 0 });
  return { data: { n: 302 } };
}
