from generated.state import State
from generated.websockets.hello_world import HelloWorldConnection


async def on_disconnect_handler(connection: HelloWorldConnection, state: State) -> None:
    state.logger.info(f"Client disconnected: {connection.connection_id}")
