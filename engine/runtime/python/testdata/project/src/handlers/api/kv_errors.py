# What a failing state.kv operation raises in Python: the server's error, by class name.
from generated.state import KvUnsupportedError


async def handle_kv_errors(req, state):
    out = {}
    try:
        await state.kv.atomic().set(["a"], 1).set(["b"], 2).commit()
    except KvUnsupportedError as error:
        out["unsupported"] = [type(error).__name__, str(error)]
    try:
        await state.kv.set(["bad", {"not": "a key part"}], 1)
    except Exception as error:
        out["input"] = type(error).__name__
    try:
        await state.kv.set(["bad"], object())
    except Exception as error:
        out["value"] = type(error).__name__
    return out


async def handle_kv_wait_in_async(req, state):
    try:
        state.kv.wait(state.kv.get(["a"]))
    except Exception as error:
        return [type(error).__name__, str(error)]
    return None
