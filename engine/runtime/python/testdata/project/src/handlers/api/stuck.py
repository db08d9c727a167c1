import threading


def handle_stuck(req, state):
    # A sync handler that never returns: it keeps its worker thread forever.
    threading.Event().wait()
    return {"data": "never"}
