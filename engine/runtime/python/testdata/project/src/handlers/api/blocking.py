import time


def handle_blocking(req, state):
    time.sleep(1.5)
    return {"data": "blocked"}
