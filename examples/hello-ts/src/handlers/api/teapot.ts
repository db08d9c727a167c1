import type { TeapotRequest, TeapotResponse } from "../../generated/api/teapot.ts";
import { HttpError } from "../../generated/state.ts";

export function handleTeapot(_req: TeapotRequest): TeapotResponse {
  throw new HttpError(418, "I'm a teapot", { details: { brew: "tea" } });
}
