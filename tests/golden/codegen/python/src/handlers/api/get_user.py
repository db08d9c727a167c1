from generated.api.get_user import GetUserRequest, GetUserResponse
from generated.state import HttpError, State


async def handle_get_user(req: GetUserRequest, state: State) -> GetUserResponse:
    """Handles API GetUser (GET /users/{id}).

    Return the response, or raise HttpError(status, message). state.set_payload(event,
    payload) sets the payload of the events in triggers:; state.trigger_event(event,
    payload) publishes any other event.
    """
    raise HttpError(501, "Not implemented: GetUser")
