/**
 * `generated/state.py`: the Python handler state (docs/design.md#d5-python-handler-contracts),
 * recording every effect in call order as dicts shaped like the runtime contract's `Effect`.
 *
 * @module
 */

import { PY_HEADER } from "./_py_module.ts";

/** The text of `generated/state.py`. */
export const PY_STATE = `${PY_HEADER}
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Protocol, Sequence, TypeVar, Union

from pydantic import BaseModel

LogFn = Callable[[str, str, Dict[str, Any]], None]


class HttpError(Exception):
    """Raise it to answer with an HTTP status: \`raise HttpError(404, "User not found")\`."""

    def __init__(self, status: int, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


class NonRetriableError(Exception):
    """Raise it from an event handler to dead-letter the event without retrying."""


class StateError(Exception):
    """A state.kv operation failed (the backend's error keeps its class name)."""


class KvInputError(StateError):
    """A key or value state.kv cannot hold: key parts are str or int, values JSON (64 KiB at most)."""


class KvUnsupportedError(StateError):
    """The backend cannot do it, e.g. an atomic operation over several keys on "nats"."""


KvKeyPart = Union[str, int]
KvKey = Sequence[KvKeyPart]
T = TypeVar("T")


class KvEntry(Protocol):
    """One entry; value and versionstamp are None when the key is absent."""

    key: List[KvKeyPart]
    value: Any
    versionstamp: Optional[str]


class KvCommitResult(Protocol):
    """ok is False when an atomic check failed (nothing was written)."""

    ok: bool
    versionstamp: Optional[str]


class KvAtomic(Protocol):
    """Checks, then writes, all or nothing."""

    def check(self, *checks: Any) -> "KvAtomic": ...

    def set(self, key: KvKey, value: Any, expire_in: Optional[int] = None) -> "KvAtomic": ...

    def delete(self, key: KvKey) -> "KvAtomic": ...

    async def commit(self) -> KvCommitResult: ...


class KvList(Protocol):
    """\`async for entry in state.kv.list(prefix=[...])\`, or \`await\` it for a list."""

    def __aiter__(self) -> AsyncIterator[KvEntry]: ...

    def __await__(self) -> Any: ...


class Kv(Protocol):
    """state.kv: one store shared by every process and instance of the app, shaped like Deno KV.

    Module variables live per process; what every handler must see goes here. Every method is a
    coroutine; a sync handler runs one with \`state.kv.wait(state.kv.get(key))\`.
    """

    type: str

    async def get(self, key: KvKey) -> KvEntry: ...

    async def set(self, key: KvKey, value: Any, expire_in: Optional[int] = None) -> KvCommitResult: ...

    async def delete(self, key: KvKey) -> None: ...

    def list(self, prefix: KvKey, limit: Optional[int] = None, reverse: bool = False) -> KvList: ...

    def atomic(self) -> KvAtomic: ...

    def wait(self, awaitable: Awaitable[T]) -> T: ...


class _NoKv:
    """Until the Rohas runtime gives the state its store (a State made by hand, in a test)."""

    def __getattr__(self, name: str) -> Any:
        raise StateError("state.kv is given by the Rohas runtime: this State was made without it")


class TriggeredEvent(BaseModel):
    event_name: str
    payload: Any = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class Logger:
    """Structured logging into the engine's log store; keyword arguments become fields."""

    def __init__(self, handler_name: Optional[str], log_fn: Optional[LogFn], effects: List[Dict[str, Any]]) -> None:
        self.handler_name = handler_name
        self._log_fn = log_fn
        self._effects = effects

    def _log(self, level: str, message: str, fields: Dict[str, Any]) -> None:
        self._effects.append(
            {"kind": "log", "level": level, "message": message, "fields": fields, "at": _now()}
        )
        if self._log_fn is not None:
            self._log_fn(level, message, fields)

    def info(self, message: str, **fields: Any) -> None:
        self._log("info", message, fields)

    def error(self, message: str, **fields: Any) -> None:
        self._log("error", message, fields)

    def warning(self, message: str, **fields: Any) -> None:
        self._log("warn", message, fields)

    def warn(self, message: str, **fields: Any) -> None:
        self._log("warn", message, fields)

    def debug(self, message: str, **fields: Any) -> None:
        self._log("debug", message, fields)

    def trace(self, message: str, **fields: Any) -> None:
        self._log("trace", message, fields)


def _trigger_timing(event_name: str, delay: Any, at: Any, key: Any) -> Dict[str, Any]:
    """The due time (ms since the epoch) and key of trigger_event's options, checked."""
    where = f'Invalid state.trigger_event("{event_name}") options'
    if delay is not None and at is not None:
        raise ValueError(f"{where}: give delay or at, not both")
    timing: Dict[str, Any] = {}
    now = datetime.now(timezone.utc).timestamp() * 1000
    if delay is not None:
        ms = delay.total_seconds() * 1000 if isinstance(delay, timedelta) else delay
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms != ms or ms < 0 or ms > 315_360_000_000:
            raise ValueError(f"{where}: delay must be a timedelta or milliseconds from 0, got {delay!r}")
        timing["at"] = now + ms
    if at is not None:
        timing["at"] = _epoch_ms(at, where)
    if key is not None:
        if "at" not in timing:
            raise ValueError(f"{where}: a key names a delayed event: give delay or at too")
        if not isinstance(key, str) or key == "" or len(key) > 256:
            raise ValueError(f"{where}: key must be a non-empty string of at most 256 characters, got {key!r}")
        timing["key"] = key
    return timing


def _epoch_ms(at: Any, where: str) -> float:
    if isinstance(at, datetime):
        moment = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
        return moment.timestamp() * 1000
    if isinstance(at, str):
        try:
            parsed: Optional[datetime] = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return _epoch_ms(parsed, where)
    elif isinstance(at, (int, float)) and not isinstance(at, bool) and at == at:
        return float(at)
    raise ValueError(
        f'{where}: at must be a datetime, an ISO 8601 time like "2030-01-01T09:00:00Z" or milliseconds since the epoch, got {at!r}'
    )


class State:
    """What a handler can do besides returning a value. Effects apply when the handler succeeds."""

    def __init__(
        self,
        handler_name: Optional[str] = None,
        log_fn: Optional[LogFn] = None,
        trace_id: str = "",
    ) -> None:
        self.handler_name = handler_name
        self.trace_id = trace_id
        self._effects: List[Dict[str, Any]] = []
        self._triggers: List[TriggeredEvent] = []
        self._auto_trigger_payloads: Dict[str, Any] = {}
        self.logger = Logger(handler_name, log_fn, self._effects)
        # The shared store; the runtime sets it on every State it makes.
        self.kv: Kv = _NoKv()

    def trigger_event(
        self,
        event_name: str,
        payload: Any,
        *,
        delay: Union[timedelta, int, float, None] = None,
        at: Union[datetime, str, int, float, None] = None,
        key: Optional[str] = None,
    ) -> None:
        """Publishes an event after the handler succeeds, in call order.

        Later with \`delay\` (a timedelta, or milliseconds) or \`at\` (a datetime, naive read as
        UTC; an ISO 8601 string; or milliseconds since the epoch), not both: the event is kept in
        state.kv until due, survives restarts and is published once across instances. \`key\` names
        it for \`cancel_event\`; while one waits, a second with the same event and key is ignored.
        """
        timing = _trigger_timing(event_name, delay, at, key)
        self._triggers.append(TriggeredEvent(event_name=event_name, payload=payload))
        self._effects.append({"kind": "trigger", "event": event_name, "payload": payload, **timing})

    def cancel_event(self, event_name: str, key: str) -> None:
        """Cancels the delayed event triggered with \`key\`, if it still waits (after the handler succeeds)."""
        if not isinstance(key, str) or key == "" or len(key) > 256:
            raise ValueError(
                f'Invalid state.cancel_event("{event_name}") key: a non-empty string of at most 256 characters, got {key!r}'
            )
        self._effects.append({"kind": "cancel_event", "event": event_name, "key": key})

    def set_payload(self, event_name: str, payload: Any) -> None:
        """Sets the payload of an event listed in the source's \`triggers:\`; the last call wins."""
        self._auto_trigger_payloads[event_name] = payload
        self._effects.append({"kind": "set_payload", "event": event_name, "payload": payload})

    def send(self, connection_id: str, message: Any) -> None:
        """Sends a message to one WebSocket connection."""
        self._effects.append({"kind": "send", "connectionId": connection_id, "message": message})

    def broadcast(self, message: Any, *, to: str) -> None:
        """Sends a message to every connection of WebSocket endpoint \`to\` on every instance."""
        self._effects.append({"kind": "broadcast", "message": message, "to": to})

    def get_triggers(self) -> List[TriggeredEvent]:
        return list(self._triggers)

    def get_auto_trigger_payload(self, event_name: str) -> Any:
        return self._auto_trigger_payloads.get(event_name)

    def get_all_auto_trigger_payloads(self) -> Dict[str, Any]:
        return dict(self._auto_trigger_payloads)


class SocketState(State):
    """The state of a WebSocket handler: \`broadcast\` defaults to its own endpoint."""

    def broadcast(self, message: Any, *, to: Optional[str] = None) -> None:
        """Sends a message to every connection of endpoint \`to\` (default: this one) on every instance."""
        effect: Dict[str, Any] = {"kind": "broadcast", "message": message}
        if to is not None:
            effect["to"] = to
        self._effects.append(effect)
`;
