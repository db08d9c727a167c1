from typing import Union

from generated.events.user_created import UserCreated
from generated.events.chat_posted import ChatPosted
from generated.state import State


async def handle_audit_log(event: Union[UserCreated, list[ChatPosted]], state: State) -> None:
    """Handles event UserCreated, ChatPosted; a batched event arrives as a list. Raise to
    retry."""
    state.logger.info("Received events", batch=isinstance(event, list))
