import asyncio

from generated.state import State


# Handles both BottleneckDetected and MajorBottleneckDetected. The payload is Json: a dict when a
# handler triggered it by hand, or whatever the API returned when it is the schema's auto-trigger
# (from /test that is the string "Hello, world!s").
async def handle_bottleneck_detected(event, state: State) -> None:
    await asyncio.sleep(0.1)
    payload = event.payload
    operation = payload.get("operation", "unknown") if isinstance(payload, dict) else "unknown"
    state.logger.warning(f"Bottleneck detected in {operation}")
    state.trigger_event("BottleneckLogged", {"operation": operation})
