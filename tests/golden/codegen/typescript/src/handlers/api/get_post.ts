import type { GetPostRequest, GetPostResponse } from "../../generated/api/get_post.ts";
import { HttpError, type State } from "../../generated/state.ts";

/**
 * Handles API `GetPost` (`GET /users/:userId/posts/{postId}`).
 *
 * Return `{ data }`, a web `Response`, or throw `HttpError(status, message)`.
 * `state.setPayload(event, payload)` sets the payload of the events in `triggers:`;
 * `state.triggerEvent(event, payload)` publishes any other event.
 */
export function handleGetPost(
  req: GetPostRequest,
  state: State,
): Promise<GetPostResponse> {
  state.logger.warn("Not implemented yet", { queryParams: req.queryParams });
  throw new HttpError(501, "Not implemented: GetPost");
}
