/**
 * How Python handler failures surface under `rohas dev`: an exception is a 500 with its message
 * (dev), HttpError picks the status, a hanging handler is a 504 while other requests go on; a failing
 * event handler is retried then dead-lettered, a NonRetriableError dead-letters at once.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startDevServer } from "./_server.ts";
import { type TempDir, tempDir } from "../../testing/mod.ts";

const SCHEMA = `api Boom {
  method: GET
  path: "/boom"
  response: Json
}

api Teapot {
  method: GET
  path: "/teapot"
  response: Json
}

api Hang {
  method: GET
  path: "/hang"
  response: Json
}

api Quick {
  method: GET
  path: "/quick"
  response: Json
}

api Emit {
  method: GET
  path: "/emit"
  response: Json
  triggers: [Flaky, Poison]
}

event Flaky {
  payload: Json
  handler: [flaky]
}

event Poison {
  payload: Json
  handler: [poison]
}
`;

const HANDLERS: Record<string, string> = {
  "boom.py": `async def handle_boom(req, state):
    raise KeyError("missing thing")
`,
  "teapot.py": `from generated.state import HttpError


async def handle_teapot(req, state):
    raise HttpError(418, "I am a teapot", {"tea": "earl grey"})
`,
  "hang.py": `import asyncio


async def handle_hang(req, state):
    await asyncio.sleep(3600)
`,
  "quick.py": `def handle_quick(req):
    return {"data": "quick"}
`,
  "emit.py": `def handle_emit(req):
    return {"data": {"n": 1}}
`,
};

const EVENT_HANDLERS: Record<string, string> = {
  "flaky.py": `async def handle_flaky(event, state):
    raise ValueError(f"attempt {event.attempt} failed")
`,
  "poison.py": `from generated.state import NonRetriableError


async def handle_poison(event, state):
    raise NonRetriableError("cannot ever handle this")
`,
};

function project(): Promise<TempDir> {
  const prefixed = (dir: string, files: Record<string, string>) =>
    Object.fromEntries(Object.entries(files).map(([name, text]) => [`${dir}/${name}`, text]));
  return tempDir({
    prefix: "rohas-py-failures-",
    files: {
      "schema/api.ro": SCHEMA,
      "config/rohas.toml":
        `[project]\nname = "failures"\nlanguage = "python"\n\n[server]\nhandler_timeout_ms = 500\n\n` +
        `[adapter]\ntype = "memory"\nmax_attempts = 3\nbackoff_ms = 10\nmax_backoff_ms = 20\n\n` +
        `[telemetry]\ntype = "memory"\n`,
      ...prefixed("src/handlers/api", HANDLERS),
      ...prefixed("src/handlers/events", EVENT_HANDLERS),
    },
  });
}

Deno.test("Python handler failures become 500, HttpError statuses, 504, retries and dead letters", async (t) => {
  await using dir = await project();
  await using server = await startDevServer(dir.path, { workbench: true });
  const get = async (path: string) => {
    const response = await fetch(`${server.base}${path}`);
    return [response.status, await response.json()] as [number, Record<string, unknown>];
  };

  await t.step("an exception is a 500 naming the error", async () => {
    const [status, body] = await get("/boom");
    assertEquals(status, 500);
    assert(String(body.error).includes("missing thing"), JSON.stringify(body));
  });

  await t.step("HttpError answers with its status and message", async () => {
    const [status, body] = await get("/teapot");
    assertEquals(status, 418);
    assert(String(body.error).includes("I am a teapot"), JSON.stringify(body));
  });

  await t.step("a hanging handler is a 504 while another request succeeds", async () => {
    const hanging = get("/hang");
    assertEquals(await get("/quick"), [200, { data: "quick" }]);
    const [status] = await hanging;
    assertEquals(status, 504);
    assertEquals(await get("/quick"), [200, { data: "quick" }]);
  });

  await t.step(
    "event handler failures are retried, NonRetriableError dead-letters at once",
    async () => {
      assertEquals(await get("/emit"), [200, { data: { n: 1 } }]);
      const letters = async () => {
        const response = await fetch(`${server.base}/api/workbench/dead-letters`);
        return await response.json() as { topic: string; attempt: number; error: string }[];
      };
      const deadline = Date.now() + 15_000;
      let found = await letters();
      while (found.length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        found = await letters();
      }
      const byTopic = Object.fromEntries(found.map((d) => [d.topic, d]));
      assertEquals(byTopic.Flaky?.attempt, 3);
      assert(
        String(byTopic.Flaky?.error).includes("attempt 3 failed"),
        JSON.stringify(byTopic.Flaky),
      );
      assertEquals(byTopic.Poison?.attempt, 1);
      assert(String(byTopic.Poison?.error).includes("cannot ever handle this"));
    },
  );
});
