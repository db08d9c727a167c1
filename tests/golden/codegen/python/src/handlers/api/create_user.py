from generated.api.create_user import CreateUserRequest, CreateUserResponse
from generated.state import HttpError, State


async def handle_create_user(req: CreateUserRequest, state: State) -> CreateUserResponse:
    """Handles API CreateUser (POST /users).

    Return the response, or raise HttpError(status, message). state.set_payload(event,
    payload) sets the payload of the events in triggers:; state.trigger_event(event,
    payload) publishes any other event.
    """
    raise HttpError(501, "Not implemented: CreateUser")
