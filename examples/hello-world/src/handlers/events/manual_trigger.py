import asyncio

from generated.events.manual_trigger import ManualTrigger
from generated.state import State


async def handle_manual_trigger(event: ManualTrigger, state: State) -> None:
    await asyncio.sleep(0.15)
    state.logger.info(f"Manual trigger received: {event.payload}")
