# A busy loop in a coroutine: the asyncio loop never turns again.
async def handle_spin(req):
    while True:
        pass
