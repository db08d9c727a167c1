# A sync handler runs on an executor thread: state.kv.wait() runs an operation on the loop.
def handle_kv_sync(req, state):
    state.kv.wait(state.kv.set(["sync", 1], "from a thread"))
    entries = state.kv.wait(state.kv.list(prefix=["sync"]))
    return [e.value for e in entries]
