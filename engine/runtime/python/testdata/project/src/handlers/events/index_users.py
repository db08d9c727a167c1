from generated.events.user_created import UserCreated


async def handle_index_users(events: list[UserCreated], state):
    state.logger.info("Indexing users", count=len(events))
    return [
        {"kind": type(event).__name__, "email": event.payload.email, "user": event.payload.id}
        for event in events
    ]
