from generated.events.fast_completed import FastCompleted
from generated.state import State


async def handle_fast_completed(event: FastCompleted, state: State) -> None:
    state.logger.info("Fast operation finished", payload=event.payload)
