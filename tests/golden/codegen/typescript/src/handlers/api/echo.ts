import type { EchoRequest, EchoResponse } from "../../generated/api/echo.ts";
import { HttpError, type State } from "../../generated/state.ts";

/**
 * Handles API `Echo` (`PUT /echo`).
 *
 * Return `{ data }`, a web `Response`, or throw `HttpError(status, message)`.
 * `state.setPayload(event, payload)` sets the payload of the events in `triggers:`;
 * `state.triggerEvent(event, payload)` publishes any other event.
 */
export function handleEcho(
  req: EchoRequest,
  state: State,
): Promise<EchoResponse> {
  state.logger.warn("Not implemented yet", { queryParams: req.queryParams });
  throw new HttpError(501, "Not implemented: Echo");
}
