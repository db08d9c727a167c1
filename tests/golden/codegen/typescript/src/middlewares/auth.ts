import type { MiddlewareContext, MiddlewareResult, State } from "../generated/state.ts";

/**
 * Middleware `auth`: runs before the handler.
 *
 * Return null to pass, `{ payload, queryParams }` to replace them, or throw
 * `HttpError(status, message)` to reject the request with that status.
 */
export function authMiddleware(
  context: MiddlewareContext,
  state: State,
): Promise<MiddlewareResult> {
  state.logger.debug("Middleware passed", { traceId: context.traceId });
  return Promise.resolve(null);
}
