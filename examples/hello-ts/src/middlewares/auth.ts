import {
  HttpError,
  type MiddlewareContext,
  type MiddlewareResult,
  type State,
} from "../generated/state.ts";

// Rejects without `Authorization: Bearer <name>`; passes the name on as the `user` query param.
export async function authMiddleware(
  context: MiddlewareContext,
  state: State,
): Promise<MiddlewareResult> {
  const header = context.headers["authorization"] ?? "";
  if (!header.startsWith("Bearer ")) throw new HttpError(401, "Missing bearer token");
  const user = header.slice(7);
  await state.kv.set(["last_caller"], user);
  return { queryParams: { ...context.queryParams, user } };
}
