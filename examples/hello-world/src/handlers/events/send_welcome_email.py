import asyncio

from generated.events.user_created import UserCreated
from generated.state import State


async def handle_send_welcome_email(event: UserCreated, state: State) -> None:
    await asyncio.sleep(0.2)
    state.logger.info(f"Sending welcome email to: {event.payload.email}")
    state.trigger_event("WelcomeEmailSent", {"email": event.payload.email})
