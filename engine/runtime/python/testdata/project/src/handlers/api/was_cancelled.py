from handlers.api.hang import CANCELLED


async def handle_was_cancelled(req):
    return {"data": len(CANCELLED)}
