async def request_logging_middleware(context, state):
    state.logger.info("request", api=context.get("api_name"), trace=context["trace_id"])
    return None
