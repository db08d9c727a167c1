// Sees the refusal where it publishes, and answers with it.
export function handleBadCaught(
  _req: unknown,
  state: { triggerEvent(event: string, payload: unknown): void },
) {
  try {
    state.triggerEvent("JobQueued", { n: "seven", ms: 0 });
  } catch (error) {
    return { data: { name: (error as Error).name, message: (error as Error).message } };
  }
  return { data: { name: null } };
}
