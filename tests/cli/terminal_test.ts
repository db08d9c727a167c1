// The terminal of a real `rohas dev` and `rohas start`: handler failures with their stack, trace
// id and workbench link, each attempt of an event handler and its dead letter, state.logger lines,
// --log-level and --log-requests, JSON lines under start.
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { startServer } from "../engine/_server.ts";

const KEY = "terminal-test-key";

async function throwKaboom(dir: string): Promise<void> {
  const file = `${dir}/src/handlers/api/fail.ts`;
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, text.replace("Database exploded", "kaboom: database unreachable"));
}

async function failingCall(url: string): Promise<string> {
  const res = await fetch(`${url}/fail`);
  const body = await res.json();
  assertEquals(res.status, 500);
  return body.trace_id ?? res.headers.get("x-rohas-trace-id");
}

async function emit(url: string, event: string): Promise<void> {
  const res = await fetch(`${url}/emit/${event}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ payload: { id: crypto.randomUUID() } }),
  });
  await res.body?.cancel();
  assertEquals(res.status, 200);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

Deno.test("rohas dev prints a failing handler with its message, stack, trace id and workbench link", async () => {
  await using server = await startServer({ args: ["--workbench"], prepare: throwKaboom });
  const traceId = await failingCall(server.url);
  const link = `${server.url}/_rohas/#/traces/${traceId}`;
  const m = await server.waitFor(
    new RegExp(
      `ERROR API handler "Fail" failed: Error: kaboom: database unreachable\\n([^]*?)\\n +(\\S+)\\n`,
    ),
  );
  assertMatch(m[1]!, /at handleFail \(file:\/\/\S+\/src\/handlers\/api\/fail\.ts:\d+:\d+\)/);
  assertEquals(m[2], link);
  // The engine's own frames say nothing about the bug: they are left out.
  assert(!m[1]!.includes("/engine/runtime/"), m[1]);
});

Deno.test("rohas dev prints each failed attempt of an event handler, then its dead letter", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  await emit(server.url, "AlwaysFails");
  // The example's [adapter] max_attempts is 3.
  const dead = await server.waitFor(
    /ERROR Event "AlwaysFails" dead-lettered for "always_fails" after 3 attempts: Still broken\n.*replay: rohas dlq replay AlwaysFails --all\n +(\S+)\n/,
  );
  const out = server.output();
  for (const attempt of [1, 2, 3]) {
    assertMatch(
      out,
      new RegExp(
        `event handler "always_fails" failed \\(attempt ${attempt} of 3\\): Error: Still broken`,
      ),
    );
  }
  assertMatch(dead[1]!, new RegExp(`^${escape(server.url)}/_rohas/#/traces/[0-9a-f-]{36}$`));
});

Deno.test("rohas dev prints state.logger lines; --log-level warn hides them and --log-requests adds a line per request", async () => {
  {
    await using server = await startServer({ args: ["--no-workbench"] });
    await (await fetch(`${server.url}/hello`)).body?.cancel();
    await server.waitFor(/\d\d:\d\d:\d\d\.\d{3} INFO {2}\[Hello\] Saying hello\b/);
    // Without the workbench the failure names its trace id instead of a link.
    const traceId = await failingCall(server.url);
    await server.waitFor(new RegExp(`\\n    trace ${traceId}\\n`));
  }
  await using quiet = await startServer({
    args: ["--no-workbench", "--log-level", "warn", "--log-requests"],
  });
  await (await fetch(`${quiet.url}/hello`)).body?.cancel();
  await quiet.waitFor(/INFO {2}GET \/hello success \d+\.\d ms Hello trace [0-9a-f-]{36}\n/);
  const traceId = await failingCall(quiet.url);
  await quiet.waitFor(new RegExp(`\\n    trace ${traceId}\\n`));
  assert(!quiet.output().includes("Saying hello"), quiet.output());
});

Deno.test("rohas start prints failures, dead letters and state.logger lines as JSON lines", async () => {
  await using server = await startServer({
    command: "start",
    args: ["--workbench"],
    env: { ROHAS_WORKBENCH_API_KEY: KEY },
    prepare: throwKaboom,
  });
  const traceId = await failingCall(server.url);
  await (await fetch(`${server.url}/hello`)).body?.cancel();
  await emit(server.url, "AlwaysFails");
  await server.waitFor(/"kind":"dead_letter"/);
  await server.waitFor(/"message":"Saying hello"/);
  const records = server.output().split("\n").filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  const failure = records.find((r) => r.kind === "handler_failure" && r.handler === "Fail");
  assert(failure, server.output());
  assertEquals(failure.level, "error");
  assertEquals(failure.error, "Error: kaboom: database unreachable");
  assertEquals(failure.trace_id, traceId);
  assertEquals(failure.link, `${server.url}/_rohas/#/traces/${traceId}`);
  assertMatch(failure.stack, /fail\.ts:\d+:\d+/);
  const attempts = records.filter((r) =>
    r.kind === "handler_failure" && r.handler === "always_fails"
  )
    .map((r) => r.attempt);
  assertEquals(attempts.sort(), [1, 2, 3]);
  const dead = records.find((r) => r.kind === "dead_letter");
  assertEquals([dead.event, dead.handler, dead.attempt], ["AlwaysFails", "always_fails", 3]);
  const hello = records.find((r) => r.kind === "log" && r.message === "Saying hello");
  assertEquals([hello.level, hello.handler], ["info", "Hello"]);
  assert(typeof hello.time === "string" && typeof hello.trace_id === "string");
});

Deno.test("rohas dev prints a failing WebSocket handler and a failing cron job with their links", async () => {
  await using server = await startServer({
    args: ["--workbench"],
    prepare: async (dir) => {
      const file = `${dir}/src/handlers/cron/tick.ts`;
      const text = await Deno.readTextFile(file);
      await Deno.writeTextFile(
        file,
        text.replace("const n = ", 'throw new Error("tick broke");\n  const n = '),
      );
    },
  });
  const socket = new WebSocket(`${server.url.replace("http", "ws")}/ws/fragile`);
  await new Promise<void>((resolve) => socket.onclose = () => resolve());
  const link = `${escape(server.url)}/_rohas/#/traces/[0-9a-f-]{36}`;
  const frames = "(?: {6}at .*\\n)+";
  await server.waitFor(
    new RegExp(
      `ERROR WebSocket connect handler "fragile_connect" failed: Error: Cannot accept connections today\\n${frames} {4}${link}\\n`,
    ),
  );
  const run = await fetch(`${server.url}/api/workbench/crons/Tick/run`, { method: "POST" });
  await run.body?.cancel();
  await server.waitFor(
    new RegExp(`ERROR cron handler "Tick" failed: Error: tick broke\\n${frames} {4}${link}\\n`),
  );
});

Deno.test("rohas dev prints a middleware's rejection as a warning naming it, the status and the trace", async () => {
  await using server = await startServer();
  const denied = await fetch(`${server.url}/protected`);
  await denied.body?.cancel();
  const traceId = denied.headers.get("x-rohas-trace-id")!;
  await server.waitFor(
    new RegExp(
      `WARN {2}middleware "auth" rejected the request with 401: Missing bearer token\\n` +
        ` {4}${server.url}/_rohas/#/traces/${traceId}\\n`,
    ),
  );
  assert(!server.output().includes('Handler "auth" failed'), server.output());
});
