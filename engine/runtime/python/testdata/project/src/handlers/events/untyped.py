# An event without a generated class: a plain object with payload, timestamp, id and attempt.
def handle_untyped(event, state):
    return {"payload": event.payload, "id": event.id, "attempt": event.attempt,
            "year": event.timestamp.year}
