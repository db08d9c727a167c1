import type { State } from "../../generated/state.ts";

// The benchmark handler: echoes a 7-field body as a small JSON object.
export function handleHello(req: { id: string; body: Record<string, unknown> }, state: State) {
  return { data: { id: req.id, name: req.body.name, trace: state.traceId, ok: true } };
}
