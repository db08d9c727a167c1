async def handle_unserialisable(req):
    return {"data": object()}
