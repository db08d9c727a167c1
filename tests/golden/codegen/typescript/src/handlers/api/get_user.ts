import type { GetUserRequest, GetUserResponse } from "../../generated/api/get_user.ts";
import { HttpError, type State } from "../../generated/state.ts";

/**
 * Handles API `GetUser` (`GET /users/{id}`).
 *
 * Return `{ data }`, a web `Response`, or throw `HttpError(status, message)`.
 * `state.setPayload(event, payload)` sets the payload of the events in `triggers:`;
 * `state.triggerEvent(event, payload)` publishes any other event.
 */
export function handleGetUser(
  req: GetUserRequest,
  state: State,
): Promise<GetUserResponse> {
  state.logger.warn("Not implemented yet", { queryParams: req.queryParams });
  throw new HttpError(501, "Not implemented: GetUser");
}
