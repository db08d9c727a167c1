import asyncio

CANCELLED = []


async def handle_hang(req, state):
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        CANCELLED.append(True)
        raise
