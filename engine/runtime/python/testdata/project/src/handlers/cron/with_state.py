async def handle_with_state(state):
    state.set_payload("Cleaned", {"ok": True})
