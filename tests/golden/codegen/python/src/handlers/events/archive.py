from generated.events.audit_written import AuditWritten
from generated.state import State


async def handle_archive(event: AuditWritten, state: State) -> None:
    """Handles event AuditWritten. Raise to retry it."""
    state.logger.info("Received event", id=event.id, attempt=event.attempt)
