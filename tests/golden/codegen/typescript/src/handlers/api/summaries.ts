import type { SummariesRequest, SummariesResponse } from "../../generated/api/summaries.ts";
import { HttpError, type State } from "../../generated/state.ts";

/**
 * Handles API `Summaries` (`GET /summaries`).
 *
 * Return `{ data }`, a web `Response`, or throw `HttpError(status, message)`.
 * `state.setPayload(event, payload)` sets the payload of the events in `triggers:`;
 * `state.triggerEvent(event, payload)` publishes any other event.
 */
export function handleSummaries(
  req: SummariesRequest,
  state: State,
): Promise<SummariesResponse> {
  state.logger.warn("Not implemented yet", { queryParams: req.queryParams });
  throw new HttpError(501, "Not implemented: Summaries");
}
