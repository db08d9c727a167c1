from generated.events.user_created import UserCreated


async def handle_send_welcome_email(event: UserCreated, state):
    state.trigger_event("WelcomeEmailSent", {"email": event.payload.email})
    return {
        "kind": type(event).__name__,
        "payload_kind": type(event.payload).__name__,
        "created": event.payload.createdAt,
        "timestamp": event.timestamp,
    }


async def send_welcome_email(event):
    raise AssertionError("handle_send_welcome_email is preferred")
