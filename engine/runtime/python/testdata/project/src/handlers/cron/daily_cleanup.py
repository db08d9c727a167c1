async def handle_daily_cleanup(req, state):
    state.logger.info("cleaning", query=req.query_params)
    state.trigger_event("CleanupStep1", {"step": "old_records"})
