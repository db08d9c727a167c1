/**
 * The calling-convention tests every TypeScript runtime must pass (Worker and in-process): each
 * handler kind's arguments, recorded effects, return values, and errors crossing the boundary.
 *
 * @module
 */

import { deepStrictEqual as assertEquals, match as assertMatch, ok } from "node:assert/strict";
import type { HandlerRuntime, InvocationResult } from "./contract.ts";
import { apiInput, call, tsHandler } from "./_test_helpers.ts";

/** Registers the suite for one runtime; `open` makes a fresh runtime per test. */
export function testCallingConventions(label: string, open: () => HandlerRuntime): void {
  const test = (name: string, body: (runtime: HandlerRuntime) => Promise<void>) =>
    Deno.test(`${label}: ${name}`, async () => {
      const runtime = open();
      try {
        await body(runtime);
      } finally {
        await runtime.close();
      }
    });

  test("an api handler gets (req, state) and its effects come back in call order", async (rt) => {
    const handler = tsHandler("api", "src/handlers/api/create_user.ts", [
      "handleCreateUser",
      "default",
    ]);
    const input = apiInput({ name: "Ada" }, { id: "42", queryParams: { tag: ["a", "b"] } });
    const result = okResult(await rt.invoke(call(handler, input)));
    assertEquals(jsonValue(result), {
      data: { id: "42", name: "Ada", trace: "trace-1", tag: ["a", "b"] },
    });
    const kinds = result.effects.map((effect) => effect.kind);
    assertEquals(kinds, ["log", "trigger", "set_payload", "log"]);
    assertEquals(result.effects[1], {
      kind: "trigger",
      event: "UserAudited",
      payload: { id: "42" },
    });
    const [first, , , last] = result.effects;
    assert(first?.kind === "log" && last?.kind === "log");
    assertEquals([first.level, first.message, first.fields], ["info", "Creating user", {
      id: "42",
    }]);
    assertEquals(last.level, "warn");
    assertMatch(first.at, /^\d{4}-\d\d-\d\dT/);
  });

  test("an event handler is found by its entry name and gets (event, state)", async (rt) => {
    const handler = tsHandler("event", "src/handlers/events/send_welcome_email.ts", [
      "handleSendWelcomeEmail",
      "send_welcome_email",
      "sendWelcomeEmail",
      "default",
    ]);
    const event = { payload: { email: "a@b.c" }, timestamp: "2026-01-01T00:00:00Z", id: "e1" };
    const result = okResult(
      await rt.invoke(call(handler, { kind: "event", event: { ...event, attempt: 2 } })),
    );
    assertEquals(jsonValue(result), { sent: "a@b.c", id: "e1", attempt: 2 });
    assertEquals(result.effects, [{
      kind: "trigger",
      event: "EmailSent",
      payload: { to: "a@b.c" },
    }]);
  });

  test("a batched event handler gets the events of its batch as one array", async (rt) => {
    const handler = tsHandler("event", "src/handlers/events/index_orders.ts", [
      "handleIndexOrders",
    ]);
    const events = [7, 8, 9].map((order) => ({
      payload: { order },
      timestamp: "2026-01-01T00:00:00Z",
      id: `e${order}`,
      attempt: 1,
    }));
    const result = okResult(await rt.invoke(call(handler, { kind: "event_batch", events })));
    assertEquals(jsonValue(result), { orders: [7, 8, 9], ids: ["e7", "e8", "e9"] });
  });

  test("a cron handler gets only state, through its default export", async (rt) => {
    const handler = tsHandler(
      "cron",
      "src/handlers/cron/cleanup.ts",
      ["handleCleanup", "default"],
      {
        name: "Cleanup",
      },
    );
    const result = okResult(await rt.invoke(call(handler, { kind: "cron" })));
    assertEquals(jsonValue(result), { handler: "Cleanup", arity: 1 });
    assertEquals(result.effects.map((effect) => effect.kind), ["log"]);
  });

  test("websocket handlers get (connection, state) and (message, connection, state)", async (rt) => {
    const connection = { connectionId: "c1", path: "/chat", connectedAt: "2026-01-01T00:00:00Z" };
    const onConnect = tsHandler("ws_connect", "src/handlers/websockets/on_connect.ts", [
      "handleOnConnect",
      "on_connect",
      "onConnect",
      "default",
    ]);
    const connected = okResult(
      await rt.invoke(call(onConnect, { kind: "ws_connect", connection })),
    );
    assertEquals(jsonValue(connected), { path: "/chat" });
    assertEquals(connected.effects, [{ kind: "send", connectionId: "c1", message: "welcome" }]);
    const onMessage = tsHandler("ws_message", "src/handlers/websockets/on_chat_message.ts", [
      "handleOnChatMessage",
      "default",
    ]);
    const message = { data: { text: "hi" }, timestamp: "2026-01-01T00:00:01Z" };
    const input = { kind: "ws_message" as const, message, connection };
    const result = okResult(await rt.invoke(call(onMessage, input)));
    assertEquals(jsonValue(result), null);
    assertEquals(result.effects, [
      { kind: "send", connectionId: "c1", message: { echo: { text: "hi" } } },
      { kind: "broadcast", message: { from: "c1", data: { text: "hi" } } },
    ]);
  });

  test("a middleware gets (context, state) and may return a modification", async (rt) => {
    const handler = tsHandler("middleware", "src/middlewares/auth.ts", [
      "authMiddleware",
      "default",
    ]);
    const context = {
      payload: { a: 1 },
      queryParams: {},
      headers: { authorization: "Bearer ok" },
      apiName: "CreateUser",
      traceId: "trace-1",
    };
    const result = okResult(await rt.invoke(call(handler, { kind: "middleware", context })));
    assertEquals(jsonValue(result), {
      payload: { wrapped: { a: 1 } },
      queryParams: { user: "u1" },
    });
    const rejected = await rt.invoke(
      call(handler, { kind: "middleware", context: { ...context, headers: {} } }),
    );
    assert(!rejected.ok && rejected.reason === "error");
    assertEquals([rejected.error.name, rejected.error.status], ["HttpError", 401]);
  });

  test("a returned Response crosses with its status, headers and body bytes", async (rt) => {
    const handler = tsHandler("api", "src/handlers/api/raw_response.ts", ["handleRawResponse"]);
    const result = okResult(await rt.invoke(call(handler, apiInput(undefined))));
    assert(result.output.kind === "response");
    assertEquals(result.output.status, 201);
    assert(result.output.headers.some(([name, value]) => name === "x-custom" && value === "yes"));
    assertEquals(new TextDecoder().decode(result.output.body), "created!");
  });

  test("an HttpError crosses with its status and details", async (rt) => {
    const handler = tsHandler("api", "src/handlers/api/forbidden.ts", ["handleForbidden"]);
    const result = await rt.invoke(call(handler, apiInput(undefined)));
    assert(!result.ok && result.reason === "error");
    assertEquals(result.error.name, "HttpError");
    assertEquals(result.error.message, "Not your account");
    assertEquals(result.error.status, 403);
    assertEquals(result.error.details, { field: "owner" });
  });

  test("a thrown error keeps its name, message, stack and cause chain", async (rt) => {
    const handler = tsHandler("api", "src/handlers/api/chained_error.ts", ["handleChainedError"]);
    const result = await rt.invoke(call(handler, apiInput(undefined)));
    assert(!result.ok && result.reason === "error");
    assertEquals([result.error.name, result.error.message], ["StorageError", "Cannot save user"]);
    assertMatch(result.error.stack ?? "", /chained_error\.ts(\?v=\d+)?:\d+:\d+/);
    assertEquals(result.error.cause?.name, "TypeError");
    assertEquals(result.error.cause?.message, "Disk is read-only");
  });

  test("a module without any candidate export is not_found naming what was tried", async (rt) => {
    const handler = tsHandler("api", "src/handlers/api/no_export.ts", [
      "handleNoExport",
      "default",
    ]);
    const result = await rt.invoke(call(handler, apiInput(undefined)));
    assert(!result.ok && result.reason === "not_found");
    assertEquals(result.error.name, "HandlerNotFoundError");
    assertMatch(result.error.message, /"handleNoExport", "default"/);
  });

  test("a Python handler is refused, not run", async (rt) => {
    const handler = {
      ...tsHandler("api", "src/handlers/api/create_user.py", ["handle_create_user"]),
      language: "python" as const,
    };
    const result = await rt.invoke(call(handler, apiInput(undefined)));
    assert(!result.ok && result.reason === "error");
    assertEquals(result.error.name, "RuntimeUnsupportedError");
  });

  test("a missing handler file is not_found", async (rt) => {
    const handler = tsHandler("api", "src/handlers/api/missing.ts", ["handleMissing", "default"]);
    const result = await rt.invoke(call(handler, apiInput(undefined)));
    assert(!result.ok && result.reason === "not_found");
    assertMatch(result.error.message, /missing\.ts/);
  });
}

/** Asserts success and narrows. */
export function okResult(result: InvocationResult): Extract<InvocationResult, { ok: true }> {
  if (!result.ok) {
    throw new Error(`Expected success, got ${result.reason}: ${result.error.message}`);
  }
  return result;
}

/** Asserts `condition` (typed so that it narrows). */
export function assert(condition: unknown, message?: string): asserts condition {
  ok(condition, message);
}

/** Asserts a JSON output whose `json` text matches its `value`, and returns the value. */
export function jsonValue(result: InvocationResult): unknown {
  const { output } = okResult(result);
  assert(output.kind === "json", `Expected a JSON output, got ${output.kind}`);
  assertEquals(output.json, JSON.stringify(output.value));
  return output.value;
}
