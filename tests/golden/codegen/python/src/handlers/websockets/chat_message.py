from typing import Any, Optional

from generated.websockets.chat import ChatConnection, ChatMessage
from generated.state import SocketState


async def handle_chat_message(
    message: ChatMessage, connection: ChatConnection, state: SocketState
) -> Optional[Any]:
    """Called for each message on /ws/chat; a returned value is sent back."""
    state.logger.info("Message received", connection_id=connection.connection_id)
    return None
