from datetime import datetime, timezone
from typing import Optional

from generated.dto.web_socket_message import WebSocketMessage
from generated.state import State
from generated.websockets.hello_world import HelloWorldConnection, HelloWorldMessage


async def on_message_handler(
    message: HelloWorldMessage, connection: HelloWorldConnection, state: State
) -> Optional[HelloWorldMessage]:
    state.logger.info(f"Message from {connection.connection_id}: {message.data.type}")
    echo = WebSocketMessage(
        type="echo",
        payload={
            "original": message.data.model_dump(mode="json"),
            "response": "Message received successfully!",
        },
    )
    return HelloWorldMessage(data=echo, timestamp=datetime.now(timezone.utc))
