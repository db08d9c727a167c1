def handle_returns_none():
    return None
