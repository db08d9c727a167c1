async def rate_limit_middleware(context, state):
    raise RuntimeError("Too many requests")
