import type { SpinRequest, SpinResponse } from "../../generated/api/spin.ts";

export function handleSpin(_req: SpinRequest): SpinResponse {
  // Never returns: the engine answers 504 and replaces the Worker.
  while (true) { /* spin */ }
}
