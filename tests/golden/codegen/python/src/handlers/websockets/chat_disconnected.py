from generated.websockets.chat import ChatConnection
from generated.state import SocketState


async def handle_chat_disconnected(connection: ChatConnection, state: SocketState) -> None:
    """Called when a client of /ws/chat disconnects."""
    state.logger.info("Disconnected", connection_id=connection.connection_id)
