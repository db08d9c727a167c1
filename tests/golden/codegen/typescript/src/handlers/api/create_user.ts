import type { CreateUserRequest, CreateUserResponse } from "../../generated/api/create_user.ts";
import { HttpError, type State } from "../../generated/state.ts";

/**
 * Handles API `CreateUser` (`POST /users`).
 *
 * Return `{ data }`, a web `Response`, or throw `HttpError(status, message)`.
 * `state.setPayload(event, payload)` sets the payload of the events in `triggers:`;
 * `state.triggerEvent(event, payload)` publishes any other event.
 */
export function handleCreateUser(
  req: CreateUserRequest,
  state: State,
): Promise<CreateUserResponse> {
  state.logger.warn("Not implemented yet", { queryParams: req.queryParams });
  throw new HttpError(501, "Not implemented: CreateUser");
}
