# Hand-written stand-in for the generated state module (contracts.md "Python state").
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional


class HttpError(Exception):
    def __init__(self, status: int, message: str, details: Any = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


class NonRetriableError(Exception):
    pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class StateError(Exception):
    pass


class KvInputError(StateError):
    pass


class KvUnsupportedError(StateError):
    pass


class Logger:
    def __init__(self, state: "State", log_fn: Optional[Callable] = None):
        self._state = state
        self._log_fn = log_fn

    def _log(self, level: str, message: str, fields: Dict[str, Any]) -> None:
        self._state._effects.append(
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

    warn = warning

    def debug(self, message: str, **fields: Any) -> None:
        self._log("debug", message, fields)

    def trace(self, message: str, **fields: Any) -> None:
        self._log("trace", message, fields)


class State:
    def __init__(self, handler_name: Optional[str] = None, log_fn=None, trace_id: str = ""):
        self.handler_name = handler_name
        self.trace_id = trace_id
        self._effects: List[Dict[str, Any]] = []
        self.logger = Logger(self, log_fn)

    def trigger_event(self, event_name: str, payload: Any) -> None:
        self._effects.append({"kind": "trigger", "event": event_name, "payload": payload})

    def set_payload(self, event_name: str, payload: Any) -> None:
        self._effects.append({"kind": "set_payload", "event": event_name, "payload": payload})

    def send(self, connection_id: str, message: Any) -> None:
        self._effects.append({"kind": "send", "connectionId": connection_id, "message": message})

    def broadcast(self, message: Any) -> None:
        self._effects.append({"kind": "broadcast", "message": message})

    def get_triggers(self) -> List[Dict[str, Any]]:
        return [e for e in self._effects if e["kind"] == "trigger"]

    def get_auto_trigger_payload(self, name: str) -> Any:
        return self.get_all_auto_trigger_payloads().get(name)

    def get_all_auto_trigger_payloads(self) -> Dict[str, Any]:
        return {e["event"]: e["payload"] for e in self._effects if e["kind"] == "set_payload"}
