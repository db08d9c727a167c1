import thirdparty_demo


async def handle_uses_venv(req):
    return {"data": thirdparty_demo.shout("hello")}
