// Publishes a JobQueued payload whose "n" is not an Int.
export function handleBadManual(
  _req: unknown,
  state: { triggerEvent(event: string, payload: unknown): void },
) {
  state.triggerEvent("JobQueued", { n: "seven", ms: 0 });
  return { data: { sent: true } };
}
