import asyncio


async def handle_sleepy(req, state):
    await asyncio.sleep(1)
    return {"data": "slept"}
