import type { State } from "../../generated/state.ts";

export function handleHello(_req: unknown, state: State) {
  state.logger.info("Saying hello");
  return { data: { message: "Hello from Rohas" } };
}
