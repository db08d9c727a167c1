from generated.api.get_post import GetPostRequest, GetPostResponse
from generated.state import HttpError, State


async def handle_get_post(req: GetPostRequest, state: State) -> GetPostResponse:
    """Handles API GetPost (GET /users/:userId/posts/{postId}).

    Return the response, or raise HttpError(status, message). state.set_payload(event,
    payload) sets the payload of the events in triggers:; state.trigger_event(event,
    payload) publishes any other event.
    """
    raise HttpError(501, "Not implemented: GetPost")
