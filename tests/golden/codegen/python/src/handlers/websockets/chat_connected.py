from typing import Any, Optional

from generated.websockets.chat import ChatConnection
from generated.state import SocketState


async def handle_chat_connected(connection: ChatConnection, state: SocketState) -> Optional[Any]:
    """Called when a client connects to /ws/chat; a returned value is sent to it."""
    state.logger.info("Connected", connection_id=connection.connection_id)
    return None
