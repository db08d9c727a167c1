async def on_connect_handler(connection, state):
    return {"type": "welcome", "who": connection.connection_id, "kind": type(connection).__name__,
            "year": connection.connected_at.year, "path": connection.path}
