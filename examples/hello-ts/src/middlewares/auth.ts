import { HttpError } from "../generated/state.ts";

interface Context {
  headers: Record<string, string>;
  queryParams: Record<string, string | string[]>;
}

// Rejects without `Authorization: Bearer <name>`; passes the name on as the `user` query param.
export function authMiddleware(context: Context) {
  const header = context.headers["authorization"] ?? "";
  if (!header.startsWith("Bearer ")) throw new HttpError(401, "Missing bearer token");
  return { queryParams: { ...context.queryParams, user: header.slice(7) } };
}
