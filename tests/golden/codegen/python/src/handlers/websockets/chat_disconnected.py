from generated.websockets.chat import ChatConnection
from generated.state import State


async def handle_chat_disconnected(connection: ChatConnection, state: State) -> None:
    """Called when a client of /ws/chat disconnects."""
    state.logger.info("Disconnected", connection_id=connection.connection_id)
