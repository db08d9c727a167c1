from generated.api.test import TestRequest, TestResponse
from generated.state import State


async def handle_test(req: TestRequest, state: State) -> TestResponse:
    state.logger.info("Hello, world!")
    state.logger.error("Hello, world!")
    state.logger.warn("Hello, world!")
    state.logger.warning("Hello, world!")
    state.logger.debug("Hello, world!")
    state.logger.trace("Hello, world!")

    user = {
        "id": 1,
        "name": "John Doe",
        "email": "hello@world.com",
        "created_at": "2024-01-01T00:00:00Z",
    }
    # UserCreated is not in this API's `triggers:`, so set_payload is ignored for it...
    state.set_payload("UserCreated", user)
    # ...while trigger_event publishes any event.
    state.trigger_event("UserCreated", user)
    state.trigger_event("ManualTrigger", {"payload": "Hello, world!"})

    return TestResponse(data="Hello, world!s")
