import asyncio

from generated.api.timeline_test_slow import TimelineTestSlowRequest, TimelineTestSlowResponse
from generated.state import State


async def handle_timeline_test_slow(
    req: TimelineTestSlowRequest, state: State
) -> TimelineTestSlowResponse:
    state.logger.info("Starting slow operation")
    await asyncio.sleep(2.0)
    state.trigger_event("SlowCompleted", {"duration": 2000})
    state.trigger_event("BottleneckDetected", {"operation": "timeline_test_slow"})
    return TimelineTestSlowResponse(data="Slow operation completed in ~2s")
