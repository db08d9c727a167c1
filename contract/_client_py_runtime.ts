/**
 * The fixed part of every Python client: `HttpError`, the sync and async transports on httpx and
 * the typed sockets on `websockets` (imported only when a socket is opened).
 *
 * @module
 */

/** The imports every Python client starts with. */
export const CLIENT_PY_IMPORTS = `from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, Generic, List, Optional, TypeVar, Union, cast
from urllib.parse import quote, urlencode

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter`;

/** The source text, inserted after the schema's models. */
export const CLIENT_PY_RUNTIME = `_M = TypeVar("_M")
_S = TypeVar("_S", bound="_SyncBase")
_A = TypeVar("_A", bound="_AsyncBase")
Query = Dict[str, Union[str, List[str]]]


class HttpError(Exception):
    """A failed call: the status, the server's message, its details and trace id."""

    def __init__(self, status: int, message: str, details: Any, trace_id: Optional[str]) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.trace_id = trace_id


def _segment(value: str) -> str:
    return quote(value, safe="")


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return TypeAdapter(Any).dump_python(value, mode="json")


def _query(body: Optional[BaseModel], extra: Optional[Query]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if body is not None:
        for key, value in body.model_dump(mode="json", by_alias=True, exclude_none=True).items():
            out[key] = [_text(v) for v in value] if isinstance(value, list) else _text(value)
    out.update(extra or {})
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _answer(response: httpx.Response, kind: Any) -> Any:
    trace_id = response.headers.get("x-rohas-trace-id")
    is_json = "json" in response.headers.get("content-type", "") and response.content != b""
    body = response.json() if is_json else response.text
    if response.status_code >= 400:
        err = body if isinstance(body, dict) else {}
        message = err.get("error") or f"Request failed with status {response.status_code}"
        raise HttpError(response.status_code, message, err.get("details"), err.get("trace_id", trace_id))
    data = body["data"] if isinstance(body, dict) and "data" in body else body
    return TypeAdapter(kind).validate_python(data)


def _request(method: str, path: str, body: Any, options: Dict[str, Any]) -> Dict[str, Any]:
    request: Dict[str, Any] = {"method": method, "url": path, "params": options["query"]}
    if options["headers"]:
        request["headers"] = options["headers"]
    if body is not None:
        request["json"] = _json(body)
    return request


def _ws_url(base_url: str, path: str, query: Optional[Dict[str, str]]) -> str:
    url = ("ws" + base_url[4:] if base_url.startswith("http") else base_url).rstrip("/") + path
    return url + ("?" + urlencode(query) if query else "")


class Socket(Generic[_M]):
    """A typed WebSocket (sync): \`send\` takes the endpoint's message type; what arrives is JSON."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def send(self, message: _M) -> None:
        self.connection.send(json.dumps(_json(message)))

    def recv(self, timeout: Optional[float] = None) -> Any:
        return json.loads(self.connection.recv(timeout))

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "Socket[_M]":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


class AsyncSocket(Generic[_M]):
    """A typed WebSocket (asyncio): \`send\` takes the endpoint's message type."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def send(self, message: _M) -> None:
        await self.connection.send(json.dumps(_json(message)))

    async def recv(self) -> Any:
        return json.loads(await self.connection.recv())

    async def close(self) -> None:
        await self.connection.close()

    async def __aenter__(self) -> "AsyncSocket[_M]":
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.close()


class _SyncBase:
    def __init__(
        self,
        base_url: str,
        headers: Optional[Dict[str, str]] = None,
        *,
        timeout: float = 30.0,
        http: Optional[httpx.Client] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self._http = http or httpx.Client(base_url=self.base_url, headers=self.headers, timeout=timeout)

    def _call(self, method: str, path: str, kind: Any, body: Any, options: Dict[str, Any]) -> Any:
        return _answer(self._http.request(**_request(method, path, body, options)), kind)

    def _socket(self, path: str, query: Optional[Dict[str, str]]) -> Any:
        from websockets.sync.client import connect

        return connect(_ws_url(self.base_url, path, query), additional_headers=self.headers)

    def close(self) -> None:
        self._http.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


class _AsyncBase:
    def __init__(
        self,
        base_url: str,
        headers: Optional[Dict[str, str]] = None,
        *,
        timeout: float = 30.0,
        http: Optional[httpx.AsyncClient] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self._http = http or httpx.AsyncClient(base_url=self.base_url, headers=self.headers, timeout=timeout)

    async def _call(self, method: str, path: str, kind: Any, body: Any, options: Dict[str, Any]) -> Any:
        return _answer(await self._http.request(**_request(method, path, body, options)), kind)

    async def _socket(self, path: str, query: Optional[Dict[str, str]]) -> Any:
        from websockets.asyncio.client import connect

        return await connect(_ws_url(self.base_url, path, query), additional_headers=self.headers)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.aclose()`;
