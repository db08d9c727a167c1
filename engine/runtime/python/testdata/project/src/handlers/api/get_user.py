async def handle_get_user(req, state):
    state.trigger_event("UserViewed", {"id": req.id})
    state.set_payload("UserFetched", {"id": req.id})
    return {"data": {"id": req.id, "type": type(req).__name__, "query": req.query_params,
                     "agent": req.headers.get("user-agent")}}
