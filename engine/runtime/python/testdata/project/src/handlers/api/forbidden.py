from generated.state import HttpError


async def handle_forbidden(req, state):
    raise HttpError(403, "No entry", {"reason": "test"})
