async def manual_trigger(event):
    return {"payload": event.payload, "type": type(event.payload).__name__}
