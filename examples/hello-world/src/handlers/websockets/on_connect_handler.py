from datetime import datetime, timezone
from typing import Optional

from generated.dto.web_socket_message import WebSocketMessage
from generated.state import State
from generated.websockets.hello_world import HelloWorldConnection, HelloWorldMessage


async def on_connect_handler(
    connection: HelloWorldConnection, state: State
) -> Optional[HelloWorldMessage]:
    state.logger.info(f"Client connected: {connection.connection_id}")
    welcome = WebSocketMessage(
        type="welcome",
        payload={"message": f"Hello! You are connected as {connection.connection_id}"},
    )
    return HelloWorldMessage(data=welcome, timestamp=datetime.now(timezone.utc))
