// `count` Sequenced events by hand, then a result that lacks "ms" for both schema triggers.
export function handleLongSeries(
  req: { body: { count: number } },
  state: { triggerEvent(event: string, payload: unknown): void },
) {
  for (let i = 0; i < req.body.count; i++) state.triggerEvent("Sequenced", { i });
  return { data: { n: 401 } };
}
