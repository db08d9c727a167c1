import asyncio

from generated.api.timeline_test_multi_step import (
    TimelineTestMultiStepRequest,
    TimelineTestMultiStepResponse,
)
from generated.state import State

STEPS = [
    ("ValidationComplete", 0.3),
    ("ProcessingComplete", 0.8),
    ("ExternalCallComplete", 0.6),
    ("FinalizationComplete", 0.3),
]


async def handle_timeline_test_multi_step(
    req: TimelineTestMultiStepRequest, state: State
) -> TimelineTestMultiStepResponse:
    for number, (event, seconds) in enumerate(STEPS, start=1):
        state.logger.info(f"Step {number}: {event}")
        await asyncio.sleep(seconds)
        state.trigger_event(event, {"step": number})
    return TimelineTestMultiStepResponse(data="Multi-step operation completed")
