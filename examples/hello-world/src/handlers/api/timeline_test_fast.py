import asyncio

from generated.api.timeline_test_fast import TimelineTestFastRequest, TimelineTestFastResponse
from generated.state import State


async def handle_timeline_test_fast(
    req: TimelineTestFastRequest, state: State
) -> TimelineTestFastResponse:
    await asyncio.sleep(0.05)
    state.trigger_event("FastCompleted", {"duration": 50})
    return TimelineTestFastResponse(data="Fast operation completed in ~50ms")
