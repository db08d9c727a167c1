/**
 * The hello-world example's Python handlers run through the Python runtime (no HTTP server): the
 * behaviour behind docs/compatibility.md#the-hello-world-example H1-H12 at the handler boundary.
 */

import { deepStrictEqual as assertEquals, match, ok as assert } from "node:assert/strict";
import type {
  Effect,
  HandlerKind,
  HandlerRef,
  InvocationInput,
  InvocationResult,
} from "../../engine/runtime/mod.ts";
import { createPythonRuntime, type PythonRuntime } from "../../engine/runtime/python/mod.ts";
import { preparedCopy } from "./_hello_world.ts";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const CONNECTION = { connectionId: "c-1", path: "/ws/hello", connectedAt: "2025-01-01T00:00:00Z" };

interface Target {
  kind: HandlerKind;
  name: string;
  owner: string;
  file: string;
  exports: string[];
}

function target(kind: HandlerKind, name: string, owner: string): Target {
  const snake = name.replace(/[A-Z]/g, (c, i) => (i === 0 ? "" : "_") + c.toLowerCase());
  switch (kind) {
    case "api":
      return { kind, name, owner, file: `handlers/api/${snake}.py`, exports: [`handle_${snake}`] };
    case "event":
      return { kind, name, owner, file: `handlers/events/${name}.py`, exports: [`handle_${name}`] };
    case "cron":
      return { kind, name, owner, file: `handlers/cron/${snake}.py`, exports: [`handle_${snake}`] };
    case "middleware":
      return { kind, name, owner, file: `middlewares/${name}.py`, exports: [`${name}_middleware`] };
    default:
      return { kind, name, owner, file: `handlers/websockets/${name}.py`, exports: [name] };
  }
}

async function run(
  runtime: PythonRuntime,
  root: string,
  t: Target,
  input: InvocationInput,
): Promise<InvocationResult> {
  const handler: HandlerRef = {
    ...t,
    language: "python",
    file: `${root}/src/${t.file}`,
    profile: "default",
  };
  return await runtime.invoke({ handler, input, traceId: "t-1", timeoutMs: 20_000 });
}

function output(result: InvocationResult): unknown {
  if (!result.ok) {
    throw new Error(`${result.error.name}: ${result.error.message}\n${result.error.stack}`);
  }
  assert(result.output.kind === "json");
  return result.output.value;
}

function triggers(result: InvocationResult): [string, unknown][] {
  return result.effects.flatMap((e: Effect) => e.kind === "trigger" ? [[e.event, e.payload]] : []);
}

function apiCall(request: Record<string, unknown> = {}): InvocationInput {
  return { kind: "api", request: { queryParams: {}, headers: {}, ...request } };
}

Deno.test("hello-world's Python handlers behave as docs/compatibility.md describes", async (t) => {
  await using copy = await preparedCopy();
  await using runtime = await createPythonRuntime({ root: copy.root });
  const call = (x: Target, input: InvocationInput) => run(runtime, copy.root, x, input);

  await t.step("H1 health returns ok and an ISO timestamp", async () => {
    const value = output(await call(target("api", "Health", "Health"), apiCall())) as {
      data: { status: string; timestamp: string };
    };
    assertEquals(value.data.status, "ok");
    match(value.data.timestamp, ISO);
  });

  await t.step(
    "H2 create_user takes only req and returns the user from the JSON body",
    async () => {
      const result = await call(
        target("api", "CreateUser", "CreateUser"),
        apiCall({ body: { name: "Alice", email: "alice@example.com" } }),
      );
      const value = output(result) as { data: Record<string, unknown> };
      const { createdAt, ...rest } = value.data;
      assertEquals(rest, { id: 1, name: "Alice", email: "alice@example.com" });
      match(String(createdAt), ISO);
      assertEquals(triggers(result), []);
    },
  );

  await t.step("H3 test logs six lines and triggers UserCreated and ManualTrigger", async () => {
    const result = await call(target("api", "Test", "Test"), apiCall());
    assertEquals(output(result), { data: "Hello, world!s" });
    const logs = result.effects.flatMap((e) => e.kind === "log" ? [e.level] : []);
    assertEquals(logs, ["info", "error", "warn", "warn", "debug", "trace"]);
    assertEquals(triggers(result).map(([event]) => event), ["UserCreated", "ManualTrigger"]);
    assertEquals(triggers(result)[1], ["ManualTrigger", { payload: "Hello, world!" }]);
  });

  await t.step("H4-H7 timeline handlers wait, trigger their events and answer", async () => {
    const started = performance.now();
    const [fast, multi] = await Promise.all([
      call(target("api", "TimelineTestFast", "TimelineTestFast"), apiCall()),
      call(target("api", "TimelineTestMultiStep", "TimelineTestMultiStep"), apiCall()),
    ]);
    assertEquals(output(fast), { data: "Fast operation completed in ~50ms" });
    assertEquals(triggers(fast), [["FastCompleted", { duration: 50 }]]);
    assertEquals(output(multi), { data: "Multi-step operation completed" });
    assertEquals(triggers(multi), [
      ["ValidationComplete", { step: 1 }],
      ["ProcessingComplete", { step: 2 }],
      ["ExternalCallComplete", { step: 3 }],
      ["FinalizationComplete", { step: 4 }],
    ]);
    assert(performance.now() - started >= 2000);
  });

  await t.step(
    "H2/H3 send_welcome_email reads a User payload, created_at or createdAt",
    async () => {
      for (
        const created of [{ createdAt: "2024-01-01T00:00:00Z" }, {
          created_at: "2024-01-01T00:00:00Z",
        }]
      ) {
        const result = await call(target("event", "send_welcome_email", "UserCreated"), {
          kind: "event",
          event: {
            payload: { id: 1, name: "John Doe", email: "hello@world.com", ...created },
            timestamp: "2025-01-01T00:00:00Z",
            id: "e-1",
            attempt: 1,
          },
        });
        output(result);
        assertEquals(triggers(result), [["WelcomeEmailSent", { email: "hello@world.com" }]]);
        const log = result.effects.find((e) => e.kind === "log");
        assertEquals(
          log?.kind === "log" && log.message,
          "Sending welcome email to: hello@world.com",
        );
      }
    },
  );

  await t.step("H3/H15 manual_trigger receives the unwrapped string", async () => {
    const result = await call(target("event", "manual_trigger", "ManualTrigger"), {
      kind: "event",
      event: { payload: { payload: "hi" }, timestamp: "2025-01-01T00:00:00Z", id: "e", attempt: 1 },
    });
    output(result);
    const log = result.effects.find((e) => e.kind === "log");
    assertEquals(log?.kind === "log" && log.message, "Manual trigger received: hi");
  });

  await t.step("H5 bottleneck_detected publishes BottleneckLogged", async () => {
    const result = await call(target("event", "bottleneck_detected", "BottleneckDetected"), {
      kind: "event",
      event: {
        payload: { operation: "timeline_test_slow" },
        timestamp: "2025-01-01T00:00:00Z",
        id: "e",
        attempt: 1,
      },
    });
    output(result);
    assertEquals(triggers(result), [["BottleneckLogged", { operation: "timeline_test_slow" }]]);
  });

  await t.step("H8 on_connect_handler welcomes the connection", async () => {
    const value = output(
      await call(target("ws_connect", "on_connect_handler", "HelloWorld"), {
        kind: "ws_connect",
        connection: CONNECTION,
      }),
    ) as { data: unknown; timestamp: string };
    assertEquals(value.data, {
      type: "welcome",
      payload: { message: "Hello! You are connected as c-1" },
    });
    match(value.timestamp, ISO);
  });

  await t.step("H9 on_message_handler echoes the message", async () => {
    const original = { type: "chat", payload: { text: "hi" } };
    const value = output(
      await call(target("ws_message", "on_message_handler", "HelloWorld"), {
        kind: "ws_message",
        message: { data: original, timestamp: "2025-01-01T00:00:01Z" },
        connection: CONNECTION,
      }),
    ) as { data: unknown };
    assertEquals(value.data, {
      type: "echo",
      payload: { original, response: "Message received successfully!" },
    });
  });

  await t.step("H10 a non-JSON text message fails validation, nothing to send", async () => {
    const result = await call(target("ws_message", "on_message_handler", "HelloWorld"), {
      kind: "ws_message",
      message: { data: "hello", timestamp: "2025-01-01T00:00:01Z" },
      connection: CONNECTION,
    });
    assert(!result.ok);
    assertEquals(result.error.name, "ValidationError");
  });

  await t.step("H11 on_disconnect_handler runs", async () => {
    const result = await call(target("ws_disconnect", "on_disconnect_handler", "HelloWorld"), {
      kind: "ws_disconnect",
      connection: CONNECTION,
    });
    assertEquals(output(result), null);
  });

  await t.step("H12 daily_cleanup logs five lines and triggers both cleanup steps", async () => {
    const result = await call(target("cron", "DailyCleanup", "DailyCleanup"), { kind: "cron" });
    assertEquals(output(result), null);
    assertEquals(result.effects.filter((e) => e.kind === "log").length, 5);
    assertEquals(triggers(result), [
      ["CleanupStep1", { step: "old_records" }],
      ["CleanupStep2", { step: "archive" }],
    ]);
  });

  await t.step("H3 the three middlewares pass through", async () => {
    for (const name of ["auth", "rate_limit", "request_logging"]) {
      const result = await call(target("middleware", name, "Test"), {
        kind: "middleware",
        context: { payload: {}, queryParams: {}, headers: {}, apiName: "Test", traceId: "t-1" },
      });
      assertEquals(output(result), null);
    }
  });
});
