async def on_message_handler(message, connection, state):
    state.send(connection.connection_id, {"seen": True})
    state.broadcast({"all": message.data.type})
    return {"type": "echo", "original": message.data, "kind": type(message).__name__}
