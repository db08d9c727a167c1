/**
 * The generated TypeScript type-checks together with hand-written handlers that use it, and a
 * handler with a wrong signature does not.
 */

import assert from "node:assert/strict";
import { fixtureSchema, plain, run, writeGenerated } from "./_helpers.ts";
import { tempDir } from "../../testing/mod.ts";

const CREATE_USER =
  `import type { CreateUserRequest, CreateUserResponse } from "../../generated/api/create_user.ts";
import { HttpError, type State } from "../../generated/state.ts";

export function handleCreateUser(req: CreateUserRequest, state: State): CreateUserResponse {
  if (req.body.name === "") throw new HttpError(422, "Empty name", { details: { field: "name" } });
  const tags: string[] = req.body.tags;
  const street: string = req.body.address.street;
  state.setPayload("UserCreated", {
    id: 1, name: req.body.name, email: req.body.email, score: 0, active: true, tags,
    address: { street, city: "x" }, createdAt: new Date().toISOString(),
  });
  state.triggerEvent("AuditWritten", "created");
  state.broadcast({ joined: req.body.name }, { to: "Chat" });
  return {
    data: {
      id: 1, name: req.body.name, email: req.body.email, age: req.body.age ?? null, score: 1.5,
      active: true, tags, address: req.body.address, createdAt: new Date().toISOString(),
      profile: { links: [{ label: "home", url: "https://example.com", class: "a" }], owner: null },
    },
  };
}
`;

const GET_POST =
  `import type { GetPostRequest, GetPostResponse } from "../../generated/api/get_post.ts";
import type { State } from "../../generated/state.ts";

export async function handleGetPost(req: GetPostRequest, _state: State): Promise<GetPostResponse | Response> {
  const userId: string = req.userId;
  const postId: string = req.postId;
  if (postId === "raw") return new Response("raw");
  await Promise.resolve();
  return { data: { userId, postId, query: req.queryParams, agent: req.headers["user-agent"] } };
}
`;

const CHAT = `import type { ChatConnection, ChatMessage } from "../../generated/websockets/chat.ts";
import type { SocketState } from "../../generated/state.ts";

export function handleChatMessage(message: ChatMessage, connection: ChatConnection, state: SocketState) {
  const text: string = message.data.text;
  state.send(connection.connectionId, { echo: text, at: message.timestamp });
  state.broadcast({ text });
  state.broadcast({ text }, { to: "Ticker" });
  return { text };
}
`;

const WRONG =
  `import type { GetUserRequest, GetUserResponse } from "../../generated/api/get_user.ts";
import type { State } from "../../generated/state.ts";

export function handleGetUser(req: GetUserRequest, _state: State): GetUserResponse {
  return { data: { id: req.id, name: "x" } };
}
`;

Deno.test("generated TypeScript and hand-written handlers pass deno check", async () => {
  await using dir = await tempDir();
  await writeGenerated(await fixtureSchema(), dir.path, "typescript");
  await Deno.writeTextFile(`${dir.path}/src/handlers/api/create_user.ts`, CREATE_USER);
  await Deno.writeTextFile(`${dir.path}/src/handlers/api/get_post.ts`, GET_POST);
  await Deno.writeTextFile(`${dir.path}/src/handlers/websockets/chat_message.ts`, CHAT);
  const result = await run(Deno.execPath(), ["check", "src/"], { cwd: dir.path });
  assert.equal(result.code, 0, plain(result.stderr));
});

Deno.test("a handler with the wrong response type fails deno check, naming the type", async () => {
  await using dir = await tempDir();
  await writeGenerated(await fixtureSchema(), dir.path, "typescript");
  await Deno.writeTextFile(`${dir.path}/src/handlers/api/get_user.ts`, WRONG);
  const result = await run(Deno.execPath(), ["check", "src/handlers/api/get_user.ts"], {
    cwd: dir.path,
  });
  assert.notEqual(result.code, 0);
  const stderr = plain(result.stderr);
  assert.match(stderr, /Type 'string' is not assignable to type 'number'/);
  assert.match(stderr, /User/);
});

Deno.test("triggerEvent() only accepts the schema's events with their payload types", async () => {
  await using dir = await tempDir();
  await writeGenerated(await fixtureSchema(), dir.path, "typescript");
  const handler = `import type { State } from "../../generated/state.ts";
export function handleCleanup(state: State): void {
  state.triggerEvent("AuditWritten", 42);
}
`;
  await Deno.writeTextFile(`${dir.path}/src/handlers/cron/cleanup.ts`, handler);
  const result = await run(Deno.execPath(), ["check", "src/handlers/cron/cleanup.ts"], {
    cwd: dir.path,
  });
  assert.notEqual(result.code, 0);
  assert.match(plain(result.stderr), /not assignable to parameter of type 'string'/);
});

Deno.test("broadcast() outside a WebSocket handler must name a declared endpoint", async () => {
  await using dir = await tempDir();
  await writeGenerated(await fixtureSchema(), dir.path, "typescript");
  const handler = `import type { State } from "../../generated/state.ts";
export function handleCleanup(state: State): void {
  state.broadcast({ swept: true });
  state.broadcast({ swept: true }, { to: "Nowhere" });
  state.broadcast({ swept: true }, { to: "Chat" });
}
`;
  await Deno.writeTextFile(`${dir.path}/src/handlers/cron/cleanup.ts`, handler);
  const result = await run(Deno.execPath(), ["check", "src/handlers/cron/cleanup.ts"], {
    cwd: dir.path,
  });
  assert.notEqual(result.code, 0);
  const stderr = plain(result.stderr);
  assert.match(stderr, /Expected 2 arguments, but got 1[\s\S]*cleanup\.ts:3:/);
  assert.match(stderr, /'"Nowhere"' is not assignable to type 'SocketName'[\s\S]*cleanup\.ts:4:/);
  assert.equal(stderr.match(/TS\d+/g)?.length, 2, stderr);
});

Deno.test("the manifest names a handler whose signature does not fit its generated type", async () => {
  await using dir = await tempDir();
  await writeGenerated(await fixtureSchema(), dir.path, "typescript");
  const handler = `import type { EchoRequest, EchoResponse } from "../../generated/api/echo.ts";

export function handleGetUser(req: EchoRequest): EchoResponse {
  return { data: req.body };
}
`;
  await Deno.writeTextFile(`${dir.path}/src/handlers/api/get_user.ts`, handler);
  const alone = await run(Deno.execPath(), ["check", "src/handlers/api/get_user.ts"], {
    cwd: dir.path,
  });
  assert.equal(alone.code, 0, "the handler is consistent on its own");
  const result = await run(Deno.execPath(), ["check", "src/generated/manifest.ts"], {
    cwd: dir.path,
  });
  assert.notEqual(result.code, 0);
  assert.match(
    plain(result.stderr),
    /'\(req: EchoRequest\) => EchoResponse' does not satisfy the constraint 'GetUserHandler'/,
  );
});
