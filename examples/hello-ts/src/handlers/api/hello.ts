import type { HelloRequest, HelloResponse } from "../../generated/api/hello.ts";
import type { State } from "../../generated/state.ts";

export function handleHello(_req: HelloRequest, state: State): HelloResponse {
  state.logger.info("Saying hello");
  return { data: { message: "Hello from Rohas" } };
}
