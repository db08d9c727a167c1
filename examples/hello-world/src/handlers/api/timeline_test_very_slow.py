import asyncio

from generated.api.timeline_test_very_slow import (
    TimelineTestVerySlowRequest,
    TimelineTestVerySlowResponse,
)
from generated.state import State


async def handle_timeline_test_very_slow(
    req: TimelineTestVerySlowRequest, state: State
) -> TimelineTestVerySlowResponse:
    state.logger.info("Starting very slow operation")
    await asyncio.sleep(6.0)
    state.trigger_event("VerySlowCompleted", {"duration": 6000})
    state.trigger_event("MajorBottleneckDetected", {"operation": "timeline_test_very_slow"})
    return TimelineTestVerySlowResponse(data="Very slow operation completed in ~6s")
