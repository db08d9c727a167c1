def handle_tick():
    return {"data": "tick"}
