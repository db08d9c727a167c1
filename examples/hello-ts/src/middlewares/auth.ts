import { HttpError, type MiddlewareContext, type MiddlewareResult } from "../generated/state.ts";

// Rejects without `Authorization: Bearer <name>`; passes the name on as the `user` query param.
export function authMiddleware(context: MiddlewareContext): MiddlewareResult {
  const header = context.headers["authorization"] ?? "";
  if (!header.startsWith("Bearer ")) throw new HttpError(401, "Missing bearer token");
  return { queryParams: { ...context.queryParams, user: header.slice(7) } };
}
