/**
 * Python handlers broadcast like TypeScript ones: `state.broadcast(message, to="Room")` from an API
 * handler reaches the endpoint's clients, and one without `to` fails the call with 500 and the
 * reason, never dropped: in a Python project the generated `State` requires `to`; in a TypeScript
 * project a Python handler gets the bridge's built-in state, and the engine refuses the result.
 */

/** The 500's message, by project language. */
const REFUSAL: Record<string, RegExp> = {
  python: /^State\.broadcast\(\) missing 1 required keyword-only argument: 'to'$/,
  typescript: /^Cannot broadcast from handler "Shout": only a WebSocket handler has an endpoint/,
};

import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { startDevServer } from "./_server.ts";
import { tempDir } from "../../testing/mod.ts";

const SCHEMA = `api Announce {
  method: GET
  path: "/announce"
  response: Json
}

api Shout {
  method: GET
  path: "/shout"
  response: Json
}

ws Room {
  path: "/room"
  onConnect: [room_connected]
}
`;

for (const language of ["python", "typescript"]) {
  Deno.test(`in a ${language} project a Python handler broadcasts with to=, without it 500`, () =>
    broadcasts(language));
}

async function broadcasts(language: string): Promise<void> {
  await using project = await tempDir({
    prefix: "rohas-py-broadcast-",
    files: {
      "schema/app.ro": SCHEMA,
      "config/rohas.toml": `[project]\nname = "pybroadcast"\nlanguage = "${language}"\n\n` +
        `[adapter]\ntype = "memory"\n\n[telemetry]\ntype = "memory"\n`,
      "src/handlers/api/announce.py":
        `async def handle_announce(req, state):\n    state.broadcast({"hello": "room"}, to="Room")\n    return {"ok": True}\n`,
      "src/handlers/api/shout.py":
        `async def handle_shout(req, state):\n    state.broadcast({"hello": "anyone"})\n    return {"ok": True}\n`,
      "src/handlers/websockets/room_connected.py":
        `async def handle_room_connected(connection, state):\n    return {"connected": True}\n`,
    },
  });
  await using server = await startDevServer(project.path);
  const socket = new WebSocket(`${server.base.replace(/^http/, "ws")}/room`);
  const messages: unknown[] = [];
  const { promise: greeted, resolve: greet } = Promise.withResolvers<void>();
  const { promise: announced, resolve: announce } = Promise.withResolvers<void>();
  socket.onmessage = (e) => {
    messages.push(JSON.parse(String(e.data)));
    if (messages.length === 1) greet();
    if (messages.length === 2) announce();
  };
  await greeted;
  const ok = await fetch(`${server.base}/announce`);
  assertEquals([ok.status, await ok.json()], [200, { ok: true }]);
  await announced;
  const refused = await fetch(`${server.base}/shout`);
  const body = await refused.json();
  assertEquals(refused.status, 500);
  assertMatch(body.error, REFUSAL[language]!);
  const closed = new Promise((resolve) => socket.onclose = resolve);
  socket.close();
  await closed;
  assertEquals(messages, [{ connected: true }, { hello: "room" }]);
}
