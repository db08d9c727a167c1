async def handle_on_order(event):
    return {"id": event.id, "attempt": event.attempt, "payload": event.payload}
