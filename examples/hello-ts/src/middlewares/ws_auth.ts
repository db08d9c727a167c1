import { HttpError, type MiddlewareContext, type MiddlewareResult } from "../generated/state.ts";

// Browsers cannot set headers on a WebSocket, so the token comes in the query string.
export function wsAuthMiddleware(context: MiddlewareContext): MiddlewareResult {
  if (context.queryParams.token !== "secret") throw new HttpError(403, "Bad token");
  return null;
}
