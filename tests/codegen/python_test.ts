/**
 * The generated Python imports cleanly and behaves: pydantic v2 validation, optional fields default
 * to None, nested types across import cycles, ISO 8601 datetimes, the State effects; and it passes
 * `mypy --strict` when mypy is installed.
 */

import assert from "node:assert/strict";
import { fixtureSchema, requirePythonModule, run, writeGenerated } from "./_helpers.ts";
import { tempDir } from "../../testing/mod.ts";

const SCRIPT = `
import asyncio, json
from datetime import datetime, timezone
from pydantic import ValidationError

import generated
from generated import SocketState, State, User, HttpError, NonRetriableError
from generated.models.profile import Profile
from generated.dto.create_user_input import CreateUserInput
from generated.api.create_user import CreateUserRequest, CreateUserResponse
from generated.api.get_post import GetPostRequest
from generated.api.echo import EchoRequest
from generated.events.user_created import UserCreated
from generated.events.audit_written import AuditWritten
from generated.websockets.chat import ChatMessage, ChatConnection
from generated.websockets.ticker import TickerMessage

address = {"street": "Main", "city": "Oslo"}
user = User(id=1, name="Ada", email="a@x", score=1.5, active=True, tags=["a"], address=address,
            createdAt="2024-01-31T09:30:00Z",
            profile={"links": [{"label": "home", "url": "u", "class": "c"}], "owner": {"id": 2, "name": "B",
                     "email": "b@x", "score": 0, "active": False, "tags": [], "address": address,
                     "createdAt": datetime(2024, 2, 1, tzinfo=timezone.utc)}})
assert user.age is None and user.metadata is None and user.friends is None
assert user.address.zip is None
assert isinstance(user.profile, Profile) and user.profile.owner is not None
dumped = user.model_dump(mode="json")
assert dumped["createdAt"] == "2024-01-31T09:30:00Z", dumped["createdAt"]
assert dumped["profile"]["owner"]["createdAt"] == "2024-02-01T00:00:00Z"
json.dumps(user.model_dump(mode="json"))
assert dumped["profile"]["links"][0]["class"] == "c" and dumped["profile"]["links"][0]["from"] is None
assert user.profile.links[0].class_ == "c"

try:
    User(id=1, name="Ada", score=1.5, active=True, tags=[], address=address, createdAt="2024-01-31T09:30:00Z")
    raise SystemExit("a missing required field was accepted")
except ValidationError as error:
    assert error.errors()[0]["loc"] == ("email",), error.errors()

request = CreateUserRequest(body={"name": "Ada", "email": "a@x", "tags": [], "address": address, "settings": {"x": [1]}})
assert isinstance(request.body, CreateUserInput) and request.query_params == {} and request.headers == {}
assert request.body.age is None and request.body.settings == {"x": [1]}
assert GetPostRequest(userId="1", postId="2").postId == "2"
assert EchoRequest(body="hi").body == "hi"
CreateUserResponse(data=user)

event = UserCreated(payload=user, timestamp="2024-01-31T09:30:00Z", id="e1", attempt=2)
assert event.attempt == 2 and AuditWritten(payload="x", timestamp="2024-01-31T09:30:00Z").attempt == 1
assert ChatMessage(data={"text": "hi"}, timestamp="2024-01-31T09:30:00Z").data.text == "hi"
assert TickerMessage(data=[1, 2], timestamp="2024-01-31T09:30:00Z").data == [1, 2]
ChatConnection(connection_id="c1", path="/ws/chat", connected_at="2024-01-31T09:30:00Z")

logged = []
state = State("send_welcome_email", lambda level, message, fields: logged.append((level, message, fields)), "t1")
state.trigger_event("AuditWritten", "x")
state.logger.warning("careful", n=1)
state.set_payload("UserCreated", {"id": 1})
state.send("c1", {"a": 1})
state.broadcast("all", to="Chat")
try:
    state.broadcast("nowhere")  # type: ignore[call-arg]
    raise AssertionError("a broadcast without to= outside a WebSocket handler was accepted")
except TypeError:
    pass
socket_state = SocketState("chat_message", None, "t2")
socket_state.broadcast("here")
assert socket_state._effects == [{"kind": "broadcast", "message": "here"}]
kinds = [effect["kind"] for effect in state._effects]
assert kinds == ["trigger", "log", "set_payload", "send", "broadcast"], kinds
assert state._effects[1]["level"] == "warn" and state._effects[1]["fields"] == {"n": 1}
assert state._effects[1]["at"].endswith("Z")
assert state._effects[3] == {"kind": "send", "connectionId": "c1", "message": {"a": 1}}
assert state._effects[4] == {"kind": "broadcast", "message": "all", "to": "Chat"}
assert logged == [("warn", "careful", {"n": 1})]
assert state.get_triggers()[0].event_name == "AuditWritten"
assert state.get_auto_trigger_payload("UserCreated") == {"id": 1}
assert state.trace_id == "t1"
error = HttpError(404, "missing", {"id": 1})
assert (error.status, error.message, error.details) == (404, "missing", {"id": 1})

from handlers.api.create_user import handle_create_user
try:
    asyncio.run(handle_create_user(request, State()))
    raise SystemExit("the stub did not raise")
except HttpError as error:
    assert error.status == 501 and error.message == "Not implemented: CreateUser"
from handlers.events.audit_log import handle_audit_log
asyncio.run(handle_audit_log(event, State()))
print("python ok")
`;

Deno.test({
  name: "generated Python imports, validates with pydantic and serialises ISO datetimes",
  fn: async () => {
    await requirePythonModule("pydantic");
    await using dir = await tempDir();
    await writeGenerated(await fixtureSchema(), dir.path, "python");
    const src = `${dir.path}/src`;
    await Deno.writeTextFile(`${src}/handlers/__init__.py`, "");
    for (const sub of ["api", "events"]) {
      await Deno.writeTextFile(`${src}/handlers/${sub}/__init__.py`, "");
    }
    const result = await run("python3", ["-B", "-c", SCRIPT], { cwd: src });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /python ok/);
  },
});

Deno.test({
  name: "generated Python passes mypy --strict",
  fn: async () => {
    await requirePythonModule("pydantic");
    await requirePythonModule("mypy");
    await using dir = await tempDir();
    await writeGenerated(await fixtureSchema(), dir.path, "python");
    const result = await run("python3", [
      "-m",
      "mypy",
      "--strict",
      "--no-incremental",
      "generated",
      "handlers",
      "middlewares",
    ], {
      cwd: `${dir.path}/src`,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
  },
});
