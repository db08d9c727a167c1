from generated.api.summaries import SummariesRequest, SummariesResponse
from generated.state import HttpError, State


async def handle_summaries(req: SummariesRequest, state: State) -> SummariesResponse:
    """Handles API Summaries (GET /summaries).

    Return the response, or raise HttpError(status, message). state.set_payload(event,
    payload) sets the payload of the events in triggers:; state.trigger_event(event,
    payload) publishes any other event.
    """
    raise HttpError(501, "Not implemented: Summaries")
