/**
 * The server outlives its Python interpreter, under `rohas dev` and `rohas start`: a segfaulting
 * handler gets a 500 with a trace id while a TypeScript handler keeps answering, the log names it,
 * the next Python call runs on a restarted runtime, and an event handler that was running at the
 * crash is retried and handled once. An async handler blocking the asyncio loop past its timeout is
 * named and its runtime replaced. `[permissions]` naming a Python handler is warned about at start.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type DevServer, startDevServer } from "./_server.ts";
import { type TempDir, tempDir } from "../../testing/mod.ts";

const SCHEMA = `api FromTs {
  method: GET
  path: "/ts"
  response: Json
}

api Quick {
  method: GET
  path: "/quick"
  response: Json
}

api Crash {
  method: GET
  path: "/crash"
  response: Json
}

api Block {
  method: GET
  path: "/block"
  response: Json
}

api Emit {
  method: GET
  path: "/emit"
  response: Json
  triggers: [Noted]
}

event Noted {
  payload: Json
  handler: [note]
}
`;

const FILES: Record<string, string> = {
  "src/handlers/api/from_ts.ts": `export function handleFromTs() {
  return { data: "ts" };
}
`,
  "src/handlers/api/quick.py": `async def handle_quick(req):
    return {"data": "quick"}
`,
  "src/handlers/api/crash.py": `import ctypes


async def handle_crash(req):
    return ctypes.string_at(0)
`,
  "src/handlers/api/block.py": `import os
import time


async def handle_block(req):
    open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "blocking"), "w").close()
    time.sleep(30)
`,
  "src/handlers/api/emit.py": `def handle_emit(req):
    return {"data": {"n": 1}}
`,
  // Attempt N appends "start N" then "done N"; the first waits for the crash to end it.
  "src/handlers/events/note.py": `import asyncio
import os

LOG = os.path.join(os.path.dirname(__file__), "..", "..", "..", "notes.log")


def write(line):
    with open(LOG, "a") as log:
        log.write(line + "\\n")


async def handle_note(event, state):
    write(f"start {event.attempt}")
    if event.attempt == 1:
        await asyncio.sleep(30)
    write(f"done {event.attempt}")
`,
};

const config = (timeoutMs: number) =>
  `[project]
name = "isolation"
language = "python"

[server]
handler_timeout_ms = ${timeoutMs}

[adapter]
type = "memory"
max_attempts = 5
backoff_ms = 100
max_backoff_ms = 500

[telemetry]
type = "memory"

[permissions.handlers.Quick]
net = false
`;

function project(timeoutMs = 10_000): Promise<TempDir> {
  return tempDir({
    prefix: "rohas-py-isolation-",
    files: { "schema/api.ro": SCHEMA, "config/rohas.toml": config(timeoutMs), ...FILES },
  });
}

async function get(server: DevServer, path: string): Promise<[number, Record<string, unknown>]> {
  const response = await fetch(`${server.base}${path}`);
  const body = await response.json() as Record<string, unknown>;
  return [response.status, { ...body, header: response.headers.get("x-rohas-trace-id") }];
}

/** Calls the TypeScript API back to back until stopped; resolves with every status seen. */
function keepCallingTs(server: DevServer): { stop(): Promise<number[]> } {
  let running = true;
  const statuses: number[] = [];
  const loop = (async () => {
    while (running) {
      const response = await fetch(`${server.base}/ts`).catch(() => null);
      statuses.push(response?.status ?? 0);
      await response?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}

async function notes(root: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${root}/notes.log`).catch(() => "");
  return text.split("\n").filter((line) => line !== "");
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting until ${what}`);
}

for (const command of ["dev", "start"] as const) {
  Deno.test(`rohas ${command}: a segfaulting Python handler takes down neither the server nor an event`, async () => {
    await using dir = await project();
    await using server = await startDevServer(dir.path, { command });
    assertEquals((await get(server, "/quick"))[0], 200);
    const ts = keepCallingTs(server);
    assertEquals((await get(server, "/emit"))[0], 200);
    await until(async () => (await notes(dir.path)).includes("start 1") || undefined, "noted");

    const [status, body] = await get(server, "/crash");
    assertEquals(status, 500);
    assert(typeof body.trace_id === "string" && body.trace_id !== "", JSON.stringify(body));
    assertEquals(body.header, body.trace_id);
    await server.waitFor(/The Python runtime crashed \(signal SIGSEGV\) while running .*"Crash"/);
    assertEquals((await get(server, "/quick"))[0], 200);

    const lines = await until(async () => {
      const seen = await notes(dir.path);
      return seen.some((line) => line.startsWith("done")) ? seen : undefined;
    }, "the event was handled after the crash");
    assertEquals(lines, ["start 1", "start 2", "done 2"]);
    const statuses = await ts.stop();
    assert(statuses.length > 0);
    assertEquals(statuses.filter((s) => s !== 200), [], "the TypeScript handler stopped answering");
    assertEquals((await get(server, "/ts"))[0], 200);
  });
}

Deno.test("rohas dev: an async handler blocking the loop is named and Python handlers recover", async () => {
  await using dir = await project(1_000);
  await using server = await startDevServer(dir.path);
  assertEquals((await get(server, "/quick"))[0], 200);
  const started = Date.now();
  const blocked = get(server, "/block");
  await until(
    () => Deno.stat(`${dir.path}/blocking`).then(() => true, () => undefined),
    "blocking",
  );
  const meanwhile = await get(server, "/quick");
  assertEquals((await blocked)[0], 504);
  assert(meanwhile[0] >= 500, `a Python call answered while the loop was blocked`);
  await server.waitFor(/Handler "Block" blocked the Python event loop/);
  assertEquals((await get(server, "/quick"))[0], 200);
  const recoveredMs = Date.now() - started;
  assert(recoveredMs < 15_000, `Python handlers recovered only after ${recoveredMs} ms`);
});

Deno.test("rohas start warns that [permissions] cannot confine a Python handler", async () => {
  await using dir = await project();
  await using server = await startDevServer(dir.path, { command: "start" });
  await server.waitFor(
    /\[permissions\.handlers\] names Python handler "Quick": Deno permissions do not confine/,
  );
  assert(!server.output().includes('"FromTs"'), "a TypeScript handler was named");
});
