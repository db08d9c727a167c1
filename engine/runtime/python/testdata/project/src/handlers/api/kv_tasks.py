# state.kv from an async Python handler: every operation.
async def handle_kv_tasks(req, state):
    key = ["tasks", req.body["id"]]
    await state.kv.set(key, {"title": req.body["title"]})
    await state.kv.set(("tasks", "gone"), 1, expire_in=60_000)
    await state.kv.delete(["tasks", "gone"])
    entry = await state.kv.get(key)
    listed = [e.key async for e in state.kv.list(prefix=["tasks"])]
    everything = await state.kv.list(prefix=["tasks"], limit=1)
    stale = await state.kv.atomic().check({"key": key, "versionstamp": None}).set(key, 0).commit()
    fresh = await state.kv.atomic().check(entry).set(key, {"title": "done"}).commit()
    missing = await state.kv.get(["tasks", "none"])
    return {
        "entry": {"key": entry.key, "value": entry.value, "stamped": len(entry.versionstamp)},
        "listed": listed,
        "limited": len(everything),
        "stale": stale.ok,
        "fresh": fresh.ok,
        "after": (await state.kv.get(key)).value,
        "missing": [missing.value, missing.versionstamp],
    }
