"""Calls the example through its generated Python client (sync and async): argv[1] is the server."""

import asyncio
import sys

from client import (
    AsyncRohasClient,
    ChatMessage,
    CreateUserInput,
    HttpError,
    RohasClient,
    SearchInput,
    User,
)

BASE = sys.argv[1]


def sync_calls() -> None:
    with RohasClient(BASE, {"x-user-id": "u-1"}) as client:
        assert client.hello().message == "Hello from Rohas"
        user = client.create_user(CreateUserInput(name="Ann", email="ann@example.com"))
        assert isinstance(user, User) and user.id == "u-1" and user.name == "Ann"
        assert user.createdAt.year >= 2024
        assert client.get_user("café 1") == {"id": "café 1", "queryParams": {}}
        found = client.search_users(SearchInput(q="ann", limit=5, exact=True, tags=["a", "b"]))
        assert found == {"query": {"q": "ann", "limit": 5, "exact": True, "tags": ["a", "b"]}}
        try:
            client.protected()
            raise AssertionError("expected HttpError")
        except HttpError as error:
            assert error.status == 401 and error.message == "Missing bearer token"
            assert error.trace_id
        with client.connect_chat({"token": "secret"}) as chat:
            assert chat.recv(10)["type"] == "welcome"
            chat.send(ChatMessage(text="hi"))
            assert chat.recv(10)["text"] == "hi"


async def async_calls() -> None:
    async with AsyncRohasClient(BASE, {"authorization": "Bearer bob"}) as client:
        assert await client.protected() == {"user": "bob"}
        try:
            # model_construct skips pydantic's checks: the server's validation answers.
            await client.create_user(CreateUserInput.model_construct(name="Ann"))
            raise AssertionError("expected HttpError")
        except HttpError as error:
            assert error.status == 422, error.status
            assert error.details == [{"path": "email", "message": "Required field is missing"}], error.details
        async with await client.connect_echo() as echo:
            await echo.send({"n": 1})
            assert await echo.recv() == {"note": "sent through state.send"}
            assert await echo.recv() == {"echo": {"n": 1}}


sync_calls()
asyncio.run(async_calls())
print("ok")
