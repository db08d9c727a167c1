from generated.state import HttpError


async def auth_middleware(context, state):
    if context["headers"].get("authorization") != "Bearer ok":
        raise HttpError(401, "Missing or bad token")
    payload = dict(context["payload"] or {})
    payload["user"] = "alice"
    return {"payload": payload, "query_params": {**context["query_params"], "seen_by": "auth"}}
