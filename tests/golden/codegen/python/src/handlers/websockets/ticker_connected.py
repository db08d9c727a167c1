from typing import Any, Optional

from generated.websockets.ticker import TickerConnection
from generated.state import SocketState


async def handle_ticker_connected(connection: TickerConnection, state: SocketState) -> Optional[Any]:
    """Called when a client connects to /ws/ticker; a returned value is sent to it."""
    state.logger.info("Connected", connection_id=connection.connection_id)
    return None
