async def handle_lookup_item(req):
    return {"data": {"class": type(req).__name__, "item_id": req.item_id}}
