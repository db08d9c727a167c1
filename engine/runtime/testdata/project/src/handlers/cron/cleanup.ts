import type { State } from "../../generated/state.ts";

export default function (state: State) {
  state.logger.debug("Cleaning up");
  return { handler: state.handlerName, arity: arguments.length };
}
