from generated.events.user_created import UserCreated
from generated.state import State


async def handle_send_welcome_email(event: UserCreated, state: State) -> None:
    """Handles event UserCreated. Raise to retry it."""
    state.logger.info("Received event", id=event.id, attempt=event.attempt)
