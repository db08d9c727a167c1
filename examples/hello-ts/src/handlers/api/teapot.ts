import { HttpError } from "../../generated/state.ts";

export function handleTeapot(): never {
  throw new HttpError(418, "I'm a teapot", { details: { brew: "tea" } });
}
