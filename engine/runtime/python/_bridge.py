# Rohas Python bridge: one asyncio loop on its own thread, in a child process of the server that
# owns libpython. The loop thread reads the calls, JSON lines, from the pipe the server writes, and
# writes the replies, JSON lines, straight to the pipe the server reads.
import asyncio
import collections
import concurrent.futures
import dataclasses
import datetime
import decimal
import enum
import faulthandler
import functools
import importlib
import importlib.util
import inspect
import json
import os
import select
import sys
import threading
import time
import traceback
import uuid
import weakref

_CLASS_CACHE = {}
_PRIMITIVES = (str, int, float, bool, datetime.datetime, datetime.date)
_SESSIONS = []
_SYNC_THREADS = 64
# How often the watchdog looks whether calls wait unread while the loop is stuck.
_WATCH_SECONDS = 0.1


def start(config_json):
    """Starts the session; returns "" or the traceback of what went wrong."""
    try:
        config = json.loads(config_json)
        session = Session(config)
        warm_up()
        session.attach_pipe(config["hello"])
        _SESSIONS.append(session)
        return ""
    except BaseException:
        return traceback.format_exc()


def warm_up():
    """Imports the generated state class (and pydantic with it) before the host says hello, so the
    first call does not pay for it against its timeout. A failure here is met again, and reported,
    by the first call that needs the class."""
    try:
        generated_class("generated.state", "State")
    except Exception:
        _CLASS_CACHE.pop(("generated.state", "State"), None)


@functools.lru_cache(maxsize=1024)
def snake(name):
    out = []
    for ch in name:
        if ch.isupper():
            if out:
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def pascal(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def camel_key(key):
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Session:
    def __init__(self, config):
        self.root = config["root"]
        self.sync_threads = config.get("sync_threads") or _SYNC_THREADS
        # Sync calls on (or waiting for) a worker thread, by call id (see _call_sync).
        self.sync_calls = {}
        self._sync_lock = threading.Lock()
        self.src = os.path.join(self.root, "src")
        for path in reversed([self.src, *config.get("front", [])]):
            if path not in sys.path:
                sys.path.insert(0, path)
        for path in config.get("paths", []):
            if path not in sys.path and os.path.isdir(path):
                sys.path.append(path)
        self._out = -1
        self._lock = threading.Lock()
        self._modules = {}
        self._handlers = {}
        # What each handler's calls need (see Plan), by handler number; emptied by every reload.
        self._plans = {}
        self._tasks = {}
        self._outbox = []
        self._inbox = collections.deque()
        self._read_lock = threading.Lock()
        self._reads = 0
        self._carry = b""
        self._kv_waiting = {}
        self._kv_last = 0
        self.kv = Kv(self)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="rohas-python-loop", daemon=True)

    def attach_pipe(self, hello):
        """Takes the pipes to the server: stdin for calls, read by the loop (and by the watchdog
        when the loop is stuck), and stdout for replies. fd 0 and fd 1 are pointed at /dev/null and
        stderr, so that input(), print() or a C library cannot steal calls or corrupt replies; a
        crash dumps the Python traceback to stderr. Then says hello and starts the loop."""
        self._in = os.dup(0)
        self._out = os.dup(1)
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, True)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)
        sys.stdin = open(os.devnull)
        faulthandler.enable(all_threads=False)
        self._write((hello + "\n").encode("utf-8"))
        self._thread.start()
        threading.Thread(target=self._watch, name="rohas-python-watchdog", daemon=True).start()

    # The loop reads the calls itself (a reader thread handing them over cost a wake-up of the loop
    # and two switches of the GIL per batch). Both readers take the read lock and queue what they
    # read in the inbox, which only the loop empties, so calls start in the order they were sent.

    def _read(self):
        """Moves what the pipe holds to the inbox; a blocker question is answered at once. The
        server closing the pipe ends the process."""
        with self._read_lock:
            try:
                chunk = os.read(self._in, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                os._exit(0)
            self._reads += 1
            data = self._carry + chunk
            end = data.rfind(b"\n")
            if end < 0:
                self._carry = data
                return
            self._carry = data[end + 1:]
            # The lines as one JSON array: one parse per read instead of one per call.
            lines = [line for line in data[:end].split(b"\n") if line]
            for message in json.loads(b"[" + b",".join(lines) + b"]"):
                if message["op"] == "blocker":
                    self._write(self._blocker_reply(message["id"]))
                else:
                    self._inbox.append(message)

    def _read_on_loop(self):
        self._read()
        self._drain()

    def _drain(self):
        inbox = self._inbox
        while inbox:
            self._start(inbox.popleft())

    def _watch(self):
        """When calls wait in the pipe and the loop has not read for a while (a handler blocks
        it), reads them on this thread, so that the server's blocker question is answered from
        here: the loop thread is the one that is stuck. The other calls wait for the loop."""
        seen = -1
        while True:
            time.sleep(_WATCH_SECONDS)
            if self._reads != seen:
                seen = self._reads
                continue
            if select.select([self._in], [], [], 0)[0]:
                self._read()
                seen = self._reads
                self.loop.call_soon_threadsafe(self._drain)

    def _run_loop(self):
        asyncio.set_event_loop(self.loop)
        # Sync handlers usually block on I/O: more threads than asyncio's default (CPUs + 4).
        self.loop.set_default_executor(
            concurrent.futures.ThreadPoolExecutor(
                max_workers=self.sync_threads, thread_name_prefix="rohas-sync"
            )
        )
        self.loop.add_reader(self._in, self._read_on_loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def _blocker_reply(self, call_id):
        reply = {"id": call_id, "ok": True, "output": self.blocker()}
        return (json.dumps(reply, default=str) + "\n").encode("utf-8")

    def blocker(self):
        """The handler whose call the loop thread is running now, read from its Python stack."""
        frame = sys._current_frames().get(self._thread.ident)
        while frame is not None:
            if frame.f_code is Session._invoke.__code__:
                handler = frame.f_locals.get("message", {}).get("handler", {})
                return {"name": handler.get("name"), "file": handler.get("file")}
            frame = frame.f_back
        return None

    def _start(self, message):
        op = message["op"]
        if op == "invoke":
            # The first call of a handler carries its reference, later ones only its number.
            handler = message.get("handler")
            if handler is None:
                message["handler"] = self._handlers[message["h"]]
            elif "h" in message:
                self._handlers[message["h"]] = handler
            # The coroutine leaves _tasks itself when it ends (a done callback would cost the loop
            # one more callback per call).
            self._tasks[message["id"]] = self.loop.create_task(self._invoke(message))
            return
        if op == "blocker":
            return
        if op == "cancel":
            # Popped here too: a task cancelled before its first step never runs its finally.
            task = self._tasks.pop(message["target"], None)
            if task is not None:
                task.cancel()
            # Answered from the loop: the server learns the loop still turns, and how many sync
            # calls outlived their timeout and still hold a worker thread.
            self._mark_timed_out(message["target"])
            threads = {"size": self.sync_threads, "stuck": self.stuck_sync_calls()}
            self._reply_json(json.dumps({"id": message["id"], "ok": True, "output": threads}))
            return
        if op == "close":
            self._close(message["id"])
            return
        if op == "kv_answer":
            self._kv_answered(message)
            return
        self._tasks[message["id"]] = self.loop.create_task(self._reload(message))

    def _mark_timed_out(self, call_id):
        with self._sync_lock:
            call = self.sync_calls.get(call_id)
            if call is not None:
                call.timed_out = True

    def stuck_sync_calls(self):
        """The handlers of the sync calls that timed out and whose thread has not returned."""
        with self._sync_lock:
            return [c.name for c in self.sync_calls.values() if c.timed_out and c.running]

    def _close(self, call_id):
        tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.cancel()
        self._reply_json(json.dumps({"id": call_id, "ok": True}))

    # Replies finished in one loop iteration go back in one write, one JSON document per line.
    def _reply_json(self, text):
        self._outbox.append(text)
        if len(self._outbox) == 1:
            self.loop.call_soon(self._flush)

    def _flush(self):
        batch, self._outbox = self._outbox, []
        batch.append("")
        self._write("\n".join(batch).encode("utf-8"))

    def _write(self, data):
        view = memoryview(data)
        with self._lock:
            while view:
                view = view[os.write(self._out, view):]

    # ----- state.kv: the server owns the store, each operation is one request line -----

    def loop_thread_id(self):
        return self._thread.ident

    async def kv_ask(self, request):
        """Sends one state.kv operation to the server and waits (on the loop) for its answer."""
        self._kv_last += 1
        kv_id = self._kv_last
        future = self.loop.create_future()
        self._kv_waiting[kv_id] = future
        try:
            line = json.dumps({"op": "kv", "id": kv_id, "request": request}, default=to_json)
        except (TypeError, ValueError) as error:
            self._kv_waiting.pop(kv_id, None)
            raise kv_error_class("KvInputError")(f"Invalid value: not JSON: {error}") from None
        self._reply_json(line)
        try:
            return await future
        finally:
            self._kv_waiting.pop(kv_id, None)

    def _kv_answered(self, message):
        future = self._kv_waiting.pop(message["id"], None)
        if future is None or future.done():
            return
        error = message.get("error")
        if error is not None:
            future.set_exception(kv_error_class(error["name"])(error["message"]))
        else:
            future.set_result(message["response"])

    # ----- modules -----

    def module_name(self, file):
        rel = os.path.relpath(file, self.src)
        if rel.startswith("..") or not rel.endswith(".py"):
            return "_rohas_handler_" + uuid.uuid5(uuid.NAMESPACE_URL, file).hex
        return rel[:-3].replace(os.sep, ".")

    def load(self, file):
        module = self._modules.get(file)
        if module is None:
            module = self._exec_fresh(file)
            self._modules[file] = module
        return module

    def _drop_project_modules(self):
        prefix = self.src + os.sep
        for key, module in list(sys.modules.items()):
            # A namespace package (a folder without __init__.py) has no __file__, only __path__;
            # it must go too, or `from lib import store` finds the old module as its attribute.
            paths = [getattr(module, "__file__", None), *list(getattr(module, "__path__", []))]
            if any(isinstance(p, str) and os.path.abspath(p).startswith(prefix) for p in paths):
                del sys.modules[key]

    def _exec_fresh(self, file):
        if not os.path.isfile(file):
            raise _NotFound(f'Handler file "{file}" does not exist')
        name = self.module_name(file)
        code = compile_file(file)
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            exec(code, module.__dict__)
        except BaseException:
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous
            raise
        return module

    async def _reload(self, message):
        file = message["file"]
        name = self.module_name(file)
        try:
            importlib.invalidate_caches()
            _CLASS_CACHE.clear()
            self._plans.clear()
            if name == "generated" or name.startswith("generated."):
                # Generated modules import each other: drop them all, handlers re-import lazily.
                compile_file(file)
                for key in [k for k in sys.modules if k == "generated" or k.startswith("generated.")]:
                    del sys.modules[key]
                self._modules.clear()
            elif name.startswith(("handlers.", "middlewares.")) or file in self._modules:
                self._modules[file] = self._exec_fresh(file)
            elif name in sys.modules:
                # A shared module changed. Executing it first reports a syntax error while the old
                # modules still serve; then every project module is dropped, not just this one:
                # modules holding a reference to the old one (`from lib import store`) would keep
                # its old code and state next to the new. Handlers re-import them all lazily.
                self._exec_fresh(file)
                self._drop_project_modules()
                self._modules.clear()
            self._reply_json(json.dumps({"id": message["id"], "ok": True}))
        except BaseException as error:
            reply = {"id": message["id"], "ok": False, "error": serialize_error(error)}
            self._reply_json(json.dumps(reply, default=to_json))
        finally:
            self._tasks.pop(message["id"], None)

    # ----- calls -----

    async def _invoke(self, message):
        call_id = message["id"]
        state = None
        try:
            handler = message["handler"]
            plan = self._plans.get(message.get("h"))
            if plan is None:
                plan = self._plan(handler, message.get("h"))
            state = make_state(handler, message["traceId"], self.kv, plan.state_class)
            args = plan.args(handler, message["input"], state.state)
            if plan.is_async:
                result = await plan.fn(*args)
            else:
                result = await self._call_sync(call_id, handler["name"], plan.fn, args)
            output = shape_output(handler["kind"], result)
            reply = {"id": call_id, "ok": True, "output": output, "effects": state.effects()}
        except _NotFound as error:
            reply = failure(call_id, "not_found", error, state)
        except asyncio.CancelledError:
            return
        except BaseException as error:
            reply = failure(call_id, "error", error, state)
        finally:
            self._tasks.pop(call_id, None)
        self._reply_json(encode(reply, call_id, state))


    async def _call_sync(self, call_id, name, fn, args):
        """A sync handler's call on a worker thread, known in `sync_calls` while the thread runs it:
        one that outlives its timeout keeps the thread (Python cannot stop a thread), and the
        server replaces the host once such calls hold every thread."""
        call = _SyncCall(name)
        self.sync_calls[call_id] = call

        def run():
            call.running = True
            try:
                return fn(*args)
            finally:
                with self._sync_lock:
                    self.sync_calls.pop(call_id, None)

        try:
            result = await self.loop.run_in_executor(None, run)
        except asyncio.CancelledError:
            with self._sync_lock:
                if not call.running:
                    self.sync_calls.pop(call_id, None)
            raise
        if inspect.isawaitable(result):
            result = await result
        return result

    def _plan(self, handler, number):
        """Finds what the calls of a handler need; kept by its number until the next reload."""
        plan = Plan(handler, find_function(self.load(handler["file"]), handler))
        if number is not None:
            self._plans[number] = plan
        return plan


class Plan:
    """A handler's function, how to call it and the classes its arguments are made of, found once
    instead of on every call (name lookups, signature, generated classes: a third of the bridge's
    time per call of a small handler)."""

    __slots__ = ("fn", "is_async", "arity", "state_class", "request_class", "args")

    def __init__(self, handler, fn):
        self.fn = fn
        self.arity, self.is_async = shape(fn)
        self.state_class = state_class(handler)
        self.request_class = None
        self.args = self._generic
        if handler["kind"] == "api":
            self.request_class = request_class(handler["name"])
            self.args = self._api

    def _generic(self, handler, input, state):
        return build_args(self.fn, handler, input, state)

    def _api(self, handler, input, state):
        request = request_data(input["request"])
        cls = self.request_class
        request = wrap(request) if cls is None else cls.model_validate(request)
        return pick(self.arity, [request, state])


def compile_file(file):
    with open(file, "rb") as handle:
        return compile(handle.read(), file, "exec")


def encode(reply, call_id, state):
    """The reply as one line. A successful call's output follows its reply after a tab (json.dumps
    escapes every tab inside), so the server can answer with that text without parsing it."""
    try:
        if reply["ok"]:
            output = encode_output(reply.pop("output"))
            if not reply["effects"]:
                return f'{{"id": {call_id}, "ok": true}}\t{output}'
            return _ENCODER.encode(reply) + "\t" + output
        return _ENCODER.encode(reply)
    except BaseException as error:
        return json.dumps(failure(call_id, "error", error, state), default=to_json)


def encode_output(output):
    # A pydantic model (what generated handlers return) serializes itself in pydantic-core, at a
    # fraction of the cost of model_dump() and then json; the same JSON, without the spaces.
    dump_json = getattr(output, "model_dump_json", None)
    if callable(dump_json) and not inspect.isclass(output):
        return dump_json()
    return _ENCODER.encode(output)


def failure(call_id, reason, error, state):
    try:
        effects = state.effects() if state is not None else []
        json.dumps(effects, default=to_json)
    except BaseException:
        effects = []
    return {"id": call_id, "ok": False, "reason": reason, "error": serialize_error(error),
            "effects": effects}


class _NotFound(Exception):
    pass


_BRIDGE_FILE = "<rohas bridge>"


def user_traceback(error):
    """The traceback without the bridge's own leading frames: it starts in the user's code."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _BRIDGE_FILE and tb.tb_next is not None:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def serialize_error(error, depth=0):
    out = {
        "name": type(error).__name__,
        "message": str(getattr(error, "message", None) or error),
        "stack": user_traceback(error),
    }
    if isinstance(error, SyntaxError):
        out["message"] = f"{error.msg} ({error.filename}, line {error.lineno})"
    if isinstance(error, ModuleNotFoundError) and error.name:
        # The start-up check names the package to install.
        out["module"] = error.name
    status = getattr(error, "status", None)
    # Only HttpError picks a status: other libraries' exceptions carry upstream statuses.
    if type(error).__name__ == "HttpError" and isinstance(status, int) and not isinstance(status, bool):
        out["status"] = status
        details = getattr(error, "details", None)
        if details is not None:
            out["details"] = details
    cause = error.__cause__
    if cause is not None and cause is not error and depth < 8:
        out["cause"] = serialize_error(cause, depth + 1)
    return out


def find_function(module, handler):
    for name in candidates(handler):
        fn = getattr(module, name, None)
        if callable(fn):
            return fn
    tried = ", ".join(f'"{n}"' for n in candidates(handler))
    raise _NotFound(f'No handler function in "{handler["file"]}": tried {tried}')


def candidates(handler):
    return _candidates(tuple(handler.get("exports", [])), handler["name"], handler["kind"])


@functools.lru_cache(maxsize=1024)
def _candidates(exports, name, kind):
    names = [n for n in exports if n.isidentifier()]
    if kind == "middleware":
        names += [f"{snake(name)}_middleware", f"{name}_middleware"]
    elif kind in ("api", "cron"):
        names += [f"handle_{snake(name)}"]
    else:
        names += [f"handle_{name}", name]
    return tuple(dict.fromkeys(names))


_SHAPES = weakref.WeakKeyDictionary()


def shape(fn):
    """(arity, is_async) of a handler function, computed once per function object."""
    try:
        found = _SHAPES.get(fn)
    except TypeError:
        return (arity(fn), inspect.iscoroutinefunction(fn))
    if found is None:
        found = _SHAPES[fn] = (arity(fn), inspect.iscoroutinefunction(fn))
    return found


def arity(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    count = 0
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            return 99
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


class _SyncCall:
    """A sync handler's call as its worker thread runs it (see Session._call_sync)."""

    __slots__ = ("name", "running", "timed_out")

    def __init__(self, name):
        self.name = name
        self.running = False
        self.timed_out = False


# ----- what handlers receive -----

class Obj(dict):
    """A dict that also reads as attributes: the fallback when no generated class exists."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        self[key] = value


def wrap(value):
    if isinstance(value, dict):
        return Obj({k: wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def generated_class(module_name, class_name):
    key = (module_name, class_name)
    if key not in _CLASS_CACHE:
        _CLASS_CACHE[key] = find_generated_class(module_name, class_name)
    return _CLASS_CACHE[key]


def find_generated_class(module_name, class_name):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
            return None
        raise
    return getattr(module, class_name, None)


def build_args(fn, handler, input, state):
    n = shape(fn)[0]
    kind = handler["kind"]
    if kind == "api":
        return pick(n, [make_request(handler["name"], input["request"]), state])
    if kind == "event" and input.get("kind") == "event_batch":
        events = [make_event(handler["owner"], event) for event in input["events"]]
        return pick(n, [events, state])
    if kind == "event":
        return pick(n, [make_event(handler["owner"], input["event"]), state])
    if kind == "cron":
        return [] if n == 0 else [state] if n == 1 else [Obj(query_params={}), state]
    if kind in ("ws_connect", "ws_disconnect"):
        return pick(n, [make_connection(handler["owner"], input["connection"]), state])
    if kind == "ws_message":
        message = make_ws_message(handler["owner"], input["message"])
        connection = make_connection(handler["owner"], input["connection"])
        return [message, connection, state][:n] if n >= 3 else pick(n, [message, state])
    if kind == "middleware":
        return pick(n, [make_context(input["context"]), state])
    raise ValueError(f'Unknown handler kind "{kind}"')


def pick(n, args):
    return args[: min(n, len(args))]


def make_request(api_name, request):
    data = request_data(request)
    cls = request_class(api_name)
    if cls is None:
        return wrap(data)
    return cls.model_validate(data)


def request_data(request):
    data = {}
    for key, value in request.items():
        if key == "queryParams":
            data["query_params"] = value
        elif key != "body" or value is not None:
            data[key] = value
    data.setdefault("query_params", {})
    data.setdefault("headers", {})
    return data


def request_class(api_name):
    module = f"generated.api.{snake(api_name)}"
    # Codegen names the class after the API verbatim; older generators used the PascalCase form.
    cls = generated_class(module, f"{api_name}Request")
    if cls is None:
        cls = generated_class(module, f"{pascal(snake(api_name))}Request")
    return cls


def make_event(event_name, event):
    cls = generated_class(f"generated.events.{snake(event_name)}", event_name)
    extra = {"id": event.get("id"), "attempt": event.get("attempt")}
    if cls is None:
        return Obj(payload=wrap(event["payload"]), timestamp=parse_time(event["timestamp"]), **extra)
    payload = coerce_payload(cls, event["payload"])
    fields = getattr(cls, "model_fields", {})
    data = {"payload": payload, "timestamp": event["timestamp"]}
    data.update({k: v for k, v in extra.items() if k in fields})
    instance = cls.model_validate(data)
    for key, value in extra.items():
        if key not in fields:
            try:
                setattr(instance, key, value)
            except (AttributeError, ValueError, TypeError):
                pass
    return instance


def coerce_payload(cls, payload):
    field = getattr(cls, "model_fields", {}).get("payload")
    annotation = getattr(field, "annotation", None)
    if annotation in _PRIMITIVES and isinstance(payload, dict):
        if "payload" in payload:
            return payload["payload"]
        if len(payload) == 1:
            return next(iter(payload.values()))
    if inspect.isclass(annotation) and hasattr(annotation, "model_fields") and isinstance(payload, dict):
        fields = annotation.model_fields
        return {(camel_key(k) if k not in fields and camel_key(k) in fields else k): v
                for k, v in payload.items()}
    return payload


def make_connection(ws_name, connection):
    data = {"connection_id": connection["connectionId"], "path": connection["path"],
            "connected_at": connection["connectedAt"]}
    cls = generated_class(f"generated.websockets.{snake(ws_name)}", f"{ws_name}Connection")
    if cls is None:
        data["connected_at"] = parse_time(data["connected_at"])
        return Obj(data)
    return cls.model_validate(data)


def make_ws_message(ws_name, message):
    cls = generated_class(f"generated.websockets.{snake(ws_name)}", f"{ws_name}Message")
    if cls is None:
        return Obj(data=wrap(message["data"]), timestamp=parse_time(message["timestamp"]))
    return cls.model_validate(message)


def make_context(context):
    out = {"payload": context.get("payload"), "query_params": context.get("queryParams", {}),
           "headers": context.get("headers", {}), "trace_id": context.get("traceId", "")}
    if "apiName" in context:
        out["api_name"] = context["apiName"]
    if "websocketName" in context:
        out["websocket_name"] = context["websocketName"]
    return out


def parse_time(text):
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return text


# ----- what handlers return -----

def shape_output(kind, result):
    if kind != "middleware" or result is None:
        return result
    if not isinstance(result, dict):
        raise TypeError(f"A middleware must return None or a dict, not {type(result).__name__}")
    out = {}
    if "payload" in result:
        out["payload"] = result["payload"]
    if "query_params" in result:
        out["queryParams"] = result["query_params"]
    return out


def to_json(value):
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not inspect.isclass(value):
        return dump(mode="json")
    if dataclasses.is_dataclass(value) and not inspect.isclass(value):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (decimal.Decimal,)):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", errors="replace")
    legacy = getattr(value, "dict", None)
    if callable(legacy) and hasattr(value, "__fields__"):
        return legacy()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps(value, default=to_json) builds an encoder per call; this one is made once.
_ENCODER = json.JSONEncoder(default=to_json)


# ----- state -----

class StateBox:
    """The handler's State plus the effects it recorded, from generated.state or the built-in one."""

    def __init__(self, state, logs):
        self.state = state
        self._logs = logs

    def effects(self):
        recorded = getattr(self.state, "_effects", None)
        if isinstance(recorded, list):
            return recorded
        effects = list(self._logs)
        for trigger in self.state.get_triggers():
            name = getattr(trigger, "event_name", None) or trigger["event_name"]
            payload = getattr(trigger, "payload", None) if not isinstance(trigger, dict) else trigger["payload"]
            effects.append({"kind": "trigger", "event": name, "payload": payload})
        for name, payload in self.state.get_all_auto_trigger_payloads().items():
            effects.append({"kind": "set_payload", "event": name, "payload": payload})
        return effects


def state_class(handler):
    cls = None
    if handler.get("kind", "").startswith("ws_"):
        # A WebSocket handler's broadcast may leave out its endpoint (generated.state.SocketState).
        cls = generated_class("generated.state", "SocketState")
    return cls or generated_class("generated.state", "State") or BuiltinState


def make_state(handler, trace_id, kv=None, cls=None):
    logs = []

    def log_fn(level, message, fields=None):
        logs.append(log_effect(level, message, fields or {}))

    cls = cls or state_class(handler)
    name = handler["name"]
    try:
        state = cls(handler_name=name, log_fn=log_fn, trace_id=trace_id)
    except TypeError:
        state = cls(handler_name=name, log_fn=log_fn)
        try:
            state.trace_id = trace_id
        except (AttributeError, ValueError):
            pass
    if kv is not None:
        try:
            state.kv = kv
        except (AttributeError, ValueError):
            pass
    return StateBox(state, logs)


def log_effect(level, message, fields):
    level = "warn" if level == "warning" else level
    return {"kind": "log", "level": level, "message": str(message), "fields": dict(fields),
            "at": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")}


class HttpError(Exception):
    def __init__(self, status, message, details=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


class NonRetriableError(Exception):
    pass


class BuiltinLogger:
    def __init__(self, state):
        self._state = state

    def _log(self, level, message, fields):
        self._state._effects.append(log_effect(level, message, fields))

    def info(self, message, **fields):
        self._log("info", message, fields)

    def error(self, message, **fields):
        self._log("error", message, fields)

    def warning(self, message, **fields):
        self._log("warn", message, fields)

    warn = warning

    def debug(self, message, **fields):
        self._log("debug", message, fields)

    def trace(self, message, **fields):
        self._log("trace", message, fields)


def _trigger_timing(event_name, delay, at, key):
    """trigger_event's delay/at/key as the effect carries them (the same rules as generated state.py)."""
    import datetime as _dt

    where = f'Invalid state.trigger_event("{event_name}") options'
    if delay is not None and at is not None:
        raise ValueError(f"{where}: give delay or at, not both")
    timing = {}
    if delay is not None:
        ms = delay.total_seconds() * 1000 if isinstance(delay, _dt.timedelta) else delay
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms != ms or ms < 0 or ms > 315_360_000_000:
            raise ValueError(f"{where}: delay must be a timedelta or milliseconds from 0, got {delay!r}")
        timing["at"] = _dt.datetime.now(_dt.timezone.utc).timestamp() * 1000 + ms
    if at is not None:
        moment = at
        if isinstance(moment, str):
            try:
                moment = _dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
            except ValueError:
                moment = None
        if isinstance(moment, _dt.datetime):
            aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=_dt.timezone.utc)
            timing["at"] = aware.timestamp() * 1000
        elif isinstance(moment, (int, float)) and not isinstance(moment, bool) and moment == moment:
            timing["at"] = float(moment)
        else:
            raise ValueError(
                f'{where}: at must be a datetime, an ISO 8601 time like "2030-01-01T09:00:00Z" or milliseconds since the epoch, got {at!r}'
            )
    if key is not None:
        if "at" not in timing:
            raise ValueError(f"{where}: a key names a delayed event: give delay or at too")
        if not isinstance(key, str) or key == "" or len(key) > 256:
            raise ValueError(f"{where}: key must be a non-empty string of at most 256 characters, got {key!r}")
        timing["key"] = key
    return timing


class BuiltinState:
    """Used when the project has no generated state module; same surface as generated.state.State."""

    def __init__(self, handler_name=None, log_fn=None, trace_id=""):
        self.handler_name = handler_name
        self.trace_id = trace_id
        self._effects = []
        self.logger = BuiltinLogger(self)

    def trigger_event(self, event_name, payload, *, delay=None, at=None, key=None):
        effect = {"kind": "trigger", "event": event_name, "payload": payload}
        if delay is not None or at is not None or key is not None:
            effect.update(_trigger_timing(event_name, delay, at, key))
        self._effects.append(effect)

    def cancel_event(self, event_name, key):
        if not isinstance(key, str) or key == "" or len(key) > 256:
            raise ValueError(
                f'Invalid state.cancel_event("{event_name}") key: a non-empty string of at most 256 characters, got {key!r}'
            )
        self._effects.append({"kind": "cancel_event", "event": event_name, "key": key})

    def set_payload(self, event_name, payload):
        self._effects.append({"kind": "set_payload", "event": event_name, "payload": payload})

    def send(self, connection_id, message):
        self._effects.append({"kind": "send", "connectionId": connection_id, "message": message})

    def broadcast(self, message, to=None):
        effect = {"kind": "broadcast", "message": message}
        if to is not None:
            effect["to"] = to
        self._effects.append(effect)

    def get_triggers(self):
        return [e for e in self._effects if e["kind"] == "trigger"]

    def get_auto_trigger_payload(self, name):
        return self.get_all_auto_trigger_payloads().get(name)

    def get_all_auto_trigger_payloads(self):
        return {e["event"]: e["payload"] for e in self._effects if e["kind"] == "set_payload"}


# ----- state.kv -----
# Shaped like Deno KV (and the TypeScript state.kv): keys are lists of str and int, get returns an
# entry with key, value and versionstamp, atomic() checks versionstamps before it writes. Every
# method is a coroutine run on the loop; a sync handler (on an executor thread) calls
# state.kv.wait(state.kv.get(key)). The server checks keys and values, and owns the store.

KV_PAGE_SIZE = 500


class StateError(Exception):
    pass


class KvInputError(StateError):
    pass


class KvUnsupportedError(StateError):
    pass


_KV_ERRORS = {"StateError": StateError, "KvInputError": KvInputError,
              "KvUnsupportedError": KvUnsupportedError}


def kv_error_class(name):
    """The class for an error the server sent: generated.state's own when the project has it (so
    `except KvUnsupportedError` works with what handlers import), else the bridge's; an unknown
    name becomes a StateError subclass of that name."""
    if name in _KV_ERRORS:
        return generated_class("generated.state", name) or _KV_ERRORS[name]
    base = generated_class("generated.state", "StateError") or StateError
    cls = _KV_ERRORS.get(name) or type(name if name.isidentifier() else "StateError", (base,), {})
    _KV_ERRORS.setdefault(name, cls)
    return cls


def kv_key(key):
    return list(key) if isinstance(key, (list, tuple)) else key


class KvEntry:
    """One entry: key, value and versionstamp (value and versionstamp are None when absent)."""

    __slots__ = ("key", "value", "versionstamp")

    def __init__(self, key, value, versionstamp):
        self.key = key
        self.value = value
        self.versionstamp = versionstamp

    def __repr__(self):
        return f"KvEntry(key={self.key!r}, value={self.value!r}, versionstamp={self.versionstamp!r})"


class KvCommitResult:
    """The outcome of a write: ok False when an atomic check failed (nothing was written)."""

    __slots__ = ("ok", "versionstamp")

    def __init__(self, ok, versionstamp=None):
        self.ok = ok
        self.versionstamp = versionstamp

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"KvCommitResult(ok={self.ok!r}, versionstamp={self.versionstamp!r})"


def kv_check(check):
    if isinstance(check, dict):
        return {"key": kv_key(check["key"]), "versionstamp": check.get("versionstamp")}
    return {"key": kv_key(check.key), "versionstamp": check.versionstamp}


def kv_set(key, value, expire_in):
    mutation = {"type": "set", "key": kv_key(key), "value": value}
    if expire_in is not None:
        mutation["expireIn"] = expire_in
    return mutation


class KvAtomic:
    """Checks, then writes, all or nothing: await commit()."""

    def __init__(self, session):
        self._session = session
        self._checks = []
        self._mutations = []

    def check(self, *checks):
        self._checks.extend(kv_check(c) for c in checks)
        return self

    def set(self, key, value, expire_in=None):
        self._mutations.append(kv_set(key, value, expire_in))
        return self

    def delete(self, key):
        self._mutations.append({"type": "delete", "key": kv_key(key)})
        return self

    async def commit(self):
        answer = await self._session.kv_ask(
            {"op": "commit", "checks": self._checks, "mutations": self._mutations})
        result = answer["result"]
        return KvCommitResult(result["ok"], result.get("versionstamp"))


class KvList:
    """Entries below a prefix in key order: `async for entry in ...`, or `await` for a list."""

    def __init__(self, session, prefix, limit, reverse):
        self._session = session
        self._query = {"prefix": kv_key(prefix), "reverse": bool(reverse)}
        self._limit = limit

    async def _pages(self):
        after = None
        left = float("inf") if self._limit is None else self._limit
        while left > 0:
            query = dict(self._query, limit=int(min(left, KV_PAGE_SIZE)), after=after)
            page = await self._session.kv_ask({"op": "list", "query": query})
            entries = page["entries"]
            for entry in entries:
                yield KvEntry(entry["key"], entry["value"], entry["versionstamp"])
            left -= len(entries)
            if not page["more"] or not entries:
                return
            after = entries[-1]["key"]

    def __aiter__(self):
        return self._pages()

    async def _all(self):
        return [entry async for entry in self._pages()]

    def __await__(self):
        return self._all().__await__()


class Kv:
    """state.kv: shared by every process and instance of the app (module variables are not)."""

    type = "remote"

    def __init__(self, session):
        self._session = session

    async def get(self, key):
        answer = await self._session.kv_ask({"op": "get", "key": kv_key(key)})
        entry = answer["entry"]
        if entry is None:
            return KvEntry(kv_key(key), None, None)
        return KvEntry(entry["key"], entry["value"], entry["versionstamp"])

    async def set(self, key, value, expire_in=None):
        result = await KvAtomic(self._session).set(key, value, expire_in).commit()
        if not result.ok:
            raise kv_error_class("KvInputError")("Cannot set: the backend refused an unconditional write")
        return result

    async def delete(self, key):
        await KvAtomic(self._session).delete(key).commit()

    def list(self, prefix, limit=None, reverse=False):
        return KvList(self._session, prefix, limit, reverse)

    def atomic(self):
        return KvAtomic(self._session)

    def wait(self, awaitable):
        """Runs an operation from a sync handler (an executor thread) and returns its result."""
        if threading.get_ident() == self._session.loop_thread_id():
            close = getattr(awaitable, "close", None)
            if callable(close):
                close()
            raise kv_error_class("StateError")(
                "Cannot use state.kv.wait() in an async handler: it would block the event loop; "
                "await the operation instead")

        async def run():
            return await awaitable
        return asyncio.run_coroutine_threadsafe(run(), self._session.loop).result()
