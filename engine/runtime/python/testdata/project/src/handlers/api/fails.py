def explode(value):
    raise ValueError(f"bad value {value!r}")


async def handle_fails(req, state):
    state.logger.warning("about to fail", step=1)
    state.trigger_event("NeverPublished", {})
    explode(42)
