import { HttpError } from "../../generated/state.ts";

export function handleForbidden(): never {
  throw new HttpError(403, "Not your account", { details: { field: "owner" } });
}
