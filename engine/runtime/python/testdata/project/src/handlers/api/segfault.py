import ctypes


# Reads address 0: the interpreter dies with SIGSEGV, like a broken C extension would.
async def handle_segfault(req):
    return ctypes.string_at(0)
