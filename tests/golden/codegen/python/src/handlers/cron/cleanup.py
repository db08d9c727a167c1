from generated.state import State


async def handle_cleanup(state: State) -> None:
    """Runs cron job Cleanup (*/5 * * * *)."""
    state.logger.info("Cron job ran", job="Cleanup")
