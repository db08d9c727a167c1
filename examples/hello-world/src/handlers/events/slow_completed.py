import asyncio

from generated.state import State


# Handles both SlowCompleted and VerySlowCompleted.
async def handle_slow_completed(event, state: State) -> None:
    await asyncio.sleep(0.8)
    state.logger.info("Slow operation finished", payload=event.payload)
