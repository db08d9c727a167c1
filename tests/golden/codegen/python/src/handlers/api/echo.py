from generated.api.echo import EchoRequest, EchoResponse
from generated.state import HttpError, State


async def handle_echo(req: EchoRequest, state: State) -> EchoResponse:
    """Handles API Echo (PUT /echo).

    Return the response, or raise HttpError(status, message). state.set_payload(event,
    payload) sets the payload of the events in triggers:; state.trigger_event(event,
    payload) publishes any other event.
    """
    raise HttpError(501, "Not implemented: Echo")
