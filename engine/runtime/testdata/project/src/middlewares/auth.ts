import { HttpError, type State } from "../generated/state.ts";

export function authMiddleware(
  context: { headers: Record<string, string>; payload: unknown; traceId: string },
  state: State,
) {
  if (context.headers.authorization !== "Bearer ok") throw new HttpError(401, "Unauthorized");
  state.logger.trace("Authorized");
  return { payload: { wrapped: context.payload }, queryParams: { user: "u1" } };
}
