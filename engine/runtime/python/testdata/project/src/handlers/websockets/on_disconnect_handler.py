def handle_on_disconnect_handler(connection):
    return None


def on_disconnect_handler(connection):
    raise AssertionError("handle_ prefix is preferred")
