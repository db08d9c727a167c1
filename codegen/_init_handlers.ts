/**
 * The handlers of the `hello` example that `rohas init` writes: working code against the generated
 * types, in TypeScript and in Python.
 *
 * @module
 */

/** TypeScript handlers of the `hello` example, paths relative to the project root. */
export const EXAMPLE_TS: { path: string; content: string }[] = [
  {
    path: "src/handlers/api/hello.ts",
    content: `import type { HelloRequest, HelloResponse } from "../../generated/api/hello.ts";
import type { State } from "../../generated/state.ts";

/** \`GET /hello?name=Ada\`: a greeting. */
export function handleHello(req: HelloRequest, state: State): HelloResponse {
  const name = req.queryParams.name;
  const who = typeof name === "string" && name !== "" ? name : "world";
  state.logger.info("Greeting", { who });
  return { data: \`Hello, \${who}!\` };
}
`,
  },
  {
    path: "src/handlers/api/create_user.ts",
    content:
      `import type { CreateUserRequest, CreateUserResponse } from "../../generated/api/create_user.ts";
import type { State } from "../../generated/state.ts";

/** \`POST /users\`: the body is already validated; the result is the payload of UserCreated. */
export function handleCreateUser(req: CreateUserRequest, state: State): CreateUserResponse {
  const user = {
    id: Math.floor(Math.random() * 1_000_000),
    name: req.body.name,
    email: req.body.email,
    createdAt: new Date().toISOString(),
  };
  state.logger.info("User created", { id: user.id });
  return { data: user };
}
`,
  },
  {
    path: "src/handlers/api/get_user.ts",
    content:
      `import type { GetUserRequest, GetUserResponse } from "../../generated/api/get_user.ts";
import { HttpError, type State } from "../../generated/state.ts";

/** \`GET /users/{id}\`: a made-up user, or 404 for an id that is not a number. */
export function handleGetUser(req: GetUserRequest, _state: State): GetUserResponse {
  const id = Number(req.id);
  if (!Number.isInteger(id)) throw new HttpError(404, \`User "\${req.id}" not found\`);
  return {
    data: {
      id,
      name: \`User \${id}\`,
      email: \`user\${id}@example.com\`,
      createdAt: new Date(0).toISOString(),
    },
  };
}
`,
  },
  {
    path: "src/handlers/events/send_welcome_email.ts",
    content: `import type { UserCreated } from "../../generated/events/user_created.ts";
import type { State } from "../../generated/state.ts";

/** Runs for every UserCreated event; throwing would retry it. */
export function handleSendWelcomeEmail(event: UserCreated, state: State): void {
  state.logger.info("Sending welcome email", { to: event.payload.email, attempt: event.attempt });
}
`,
  },
  {
    path: "src/handlers/cron/heartbeat.ts",
    content: `import type { State } from "../../generated/state.ts";

/** Runs every five minutes. */
export function handleHeartbeat(state: State): void {
  state.logger.info("Heartbeat", { at: new Date().toISOString() });
}
`,
  },
  {
    path: "src/handlers/websockets/chat_connected.ts",
    content: `import type { ChatConnection } from "../../generated/websockets/chat.ts";
import type { State } from "../../generated/state.ts";

/** Greets a new client; the returned value is sent to it. */
export function handleChatConnected(connection: ChatConnection, state: State): { text: string } {
  state.logger.info("Chat client connected", { connectionId: connection.connectionId });
  return { text: "Welcome to the chat!" };
}
`,
  },
  {
    path: "src/handlers/websockets/chat_message.ts",
    content: `import type { ChatConnection, ChatMessage } from "../../generated/websockets/chat.ts";
import type { SocketState } from "../../generated/state.ts";

/** Sends every message to every client of the chat, on every instance. */
export function handleChatMessage(
  message: ChatMessage,
  connection: ChatConnection,
  state: SocketState,
): null {
  state.broadcast({
    from: connection.connectionId,
    text: message.data.text,
    at: message.timestamp,
  });
  return null;
}
`,
  },
];

/** Python handlers of the `hello` example, paths relative to the project root. */
export const EXAMPLE_PY: { path: string; content: string }[] = [
  {
    path: "src/handlers/api/hello.py",
    content: `from generated.api.hello import HelloRequest, HelloResponse
from generated.state import State


async def handle_hello(req: HelloRequest, state: State) -> HelloResponse:
    """GET /hello?name=Ada: a greeting."""
    name = req.query_params.get("name")
    who = name if isinstance(name, str) and name else "world"
    state.logger.info("Greeting", who=who)
    return HelloResponse(data=f"Hello, {who}!")
`,
  },
  {
    path: "src/handlers/api/create_user.py",
    content: `import random
from datetime import datetime, timezone

from generated.api.create_user import CreateUserRequest, CreateUserResponse
from generated.models.user import User
from generated.state import State


async def handle_create_user(req: CreateUserRequest, state: State) -> CreateUserResponse:
    """POST /users: the body is already validated; the result is the payload of UserCreated."""
    user = User(
        id=random.randint(1, 1_000_000),
        name=req.body.name,
        email=req.body.email,
        createdAt=datetime.now(timezone.utc),
    )
    state.logger.info("User created", id=user.id)
    return CreateUserResponse(data=user)
`,
  },
  {
    path: "src/handlers/api/get_user.py",
    content: `from datetime import datetime, timezone

from generated.api.get_user import GetUserRequest, GetUserResponse
from generated.models.user import User
from generated.state import HttpError, State


async def handle_get_user(req: GetUserRequest, state: State) -> GetUserResponse:
    """GET /users/{id}: a made-up user, or 404 for an id that is not a number."""
    if not req.id.isdigit():
        raise HttpError(404, f'User "{req.id}" not found')
    user_id = int(req.id)
    return GetUserResponse(
        data=User(
            id=user_id,
            name=f"User {user_id}",
            email=f"user{user_id}@example.com",
            createdAt=datetime.fromtimestamp(0, timezone.utc),
        )
    )
`,
  },
  {
    path: "src/handlers/events/send_welcome_email.py",
    content: `from generated.events.user_created import UserCreated
from generated.state import State


async def handle_send_welcome_email(event: UserCreated, state: State) -> None:
    """Runs for every UserCreated event; raising would retry it."""
    state.logger.info("Sending welcome email", to=event.payload.email, attempt=event.attempt)
`,
  },
  {
    path: "src/handlers/cron/heartbeat.py",
    content: `from datetime import datetime, timezone

from generated.state import State


async def handle_heartbeat(state: State) -> None:
    """Runs every five minutes."""
    state.logger.info("Heartbeat", at=datetime.now(timezone.utc).isoformat())
`,
  },
  {
    path: "src/handlers/websockets/chat_connected.py",
    content: `from typing import Any, Dict

from generated.websockets.chat import ChatConnection
from generated.state import State


async def handle_chat_connected(connection: ChatConnection, state: State) -> Dict[str, Any]:
    """Greets a new client; the returned value is sent to it."""
    state.logger.info("Chat client connected", connection_id=connection.connection_id)
    return {"text": "Welcome to the chat!"}
`,
  },
  {
    path: "src/handlers/websockets/chat_message.py",
    content: `from generated.websockets.chat import ChatConnection, ChatMessage
from generated.state import SocketState


async def handle_chat_message(
    message: ChatMessage, connection: ChatConnection, state: SocketState
) -> None:
    """Sends every message to every client of the chat, on every instance."""
    state.broadcast(
        {"from": connection.connection_id, "text": message.data.text, "at": message.timestamp.isoformat()}
    )
    return None
`,
  },
];
