from generated.events.audit_written import AuditWritten
from generated.state import State


async def handle_archive(event: list[AuditWritten], state: State) -> None:
    """Handles event AuditWritten; a batched event arrives as a list. Raise to
    retry."""
    state.logger.info("Received events", batch=isinstance(event, list))
