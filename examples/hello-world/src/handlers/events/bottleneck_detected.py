import asyncio

from generated.state import State


# Handles both BottleneckDetected and MajorBottleneckDetected.
async def handle_bottleneck_detected(event, state: State) -> None:
    await asyncio.sleep(0.1)
    operation = event.payload.get("operation", "unknown")
    state.logger.warning(f"Bottleneck detected in {operation}")
    state.trigger_event("BottleneckLogged", {"operation": operation})
