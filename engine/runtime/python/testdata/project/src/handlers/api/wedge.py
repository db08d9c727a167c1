import time


# Blocks the event loop itself (time.sleep in a coroutine): the worst a handler can do.
async def handle_wedge(req):
    time.sleep(3)
