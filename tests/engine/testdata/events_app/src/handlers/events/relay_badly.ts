// An event handler that publishes a wrong-shaped JobQueued payload ("ms" is text).
export function handleRelayBadly(
  event: { payload: { n: number } },
  state: { triggerEvent(event: string, payload: unknown): void },
) {
  state.triggerEvent("JobQueued", { n: event.payload.n, ms: "soon" });
}
