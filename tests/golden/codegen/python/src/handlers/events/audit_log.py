from typing import Union

from generated.events.user_created import UserCreated
from generated.events.chat_posted import ChatPosted
from generated.state import State


async def handle_audit_log(event: Union[UserCreated, ChatPosted], state: State) -> None:
    """Handles event UserCreated, ChatPosted. Raise to retry it."""
    state.logger.info("Received event", id=event.id, attempt=event.attempt)
