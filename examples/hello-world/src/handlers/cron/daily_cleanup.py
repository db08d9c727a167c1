import asyncio

from generated.state import State


async def handle_daily_cleanup(req, state: State) -> None:
    state.logger.info("Starting daily cleanup")
    await asyncio.sleep(0.5)
    state.logger.info("Removing old records")
    state.trigger_event("CleanupStep1", {"step": "old_records"})
    await asyncio.sleep(0.5)
    state.logger.info("Archiving")
    state.trigger_event("CleanupStep2", {"step": "archive"})
    await asyncio.sleep(0.3)
    state.logger.info("Compacting")
    state.logger.info("Daily cleanup finished")
