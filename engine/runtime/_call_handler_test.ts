import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { callHandler, type HandlerState } from "./_call_handler.ts";
import { apiInput, call, tsHandler } from "./_test_helpers.ts";
import type { InvocationResult } from "./contract.ts";

const ref = tsHandler("api", "src/handlers/api/logs.ts", ["handleLogs"]);

function logged(result: InvocationResult): unknown[] {
  return result.effects.map((e) => e.kind === "log" ? [e.level, e.message, e.fields] : e.kind);
}

Deno.test("callHandler records logger calls in order, warning as warn, fields as JSON", () => {
  const namespace = {
    handleLogs(_req: unknown, state: HandlerState) {
      state.logger.info("one", { n: 1, at: new Date(0) });
      state.logger.warning("two");
      state.logger.error("three");
      state.logger.warn("four");
      state.logger.debug("five");
      state.logger.trace("six");
      return { data: null };
    },
  };
  const result = callHandler(namespace, call(ref, apiInput(null))) as InvocationResult;
  assertEquals(logged(result), [
    ["info", "one", { n: 1, at: "1970-01-01T00:00:00.000Z" }],
    ["warn", "two", {}],
    ["error", "three", {}],
    ["warn", "four", {}],
    ["debug", "five", {}],
    ["trace", "six", {}],
  ]);
  for (const effect of result.effects) {
    if (effect.kind === "log") assertMatch(effect.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
});

Deno.test("callHandler lets a handler call a logger method taken off the logger", () => {
  const namespace = {
    handleLogs(_req: unknown, state: HandlerState) {
      const { info, warning } = state.logger;
      info("alone");
      warning("also alone");
      return { data: null };
    },
  };
  const result = callHandler(namespace, call(ref, apiInput(null))) as InvocationResult;
  assertEquals(result.ok, true);
  assertEquals(logged(result), [["info", "alone", {}], ["warn", "also alone", {}]]);
});

Deno.test("callHandler refuses a broadcast without an endpoint outside a WebSocket handler", () => {
  const namespace = {
    handleLogs(_req: unknown, state: HandlerState) {
      state.broadcast({ to: "everyone?" });
      return { data: null };
    },
  };
  const result = callHandler(namespace, call(ref, apiInput(null))) as InvocationResult;
  assertEquals(result.ok, false);
  if (result.ok) return;
  assertEquals(result.error.name, "BroadcastTargetError");
  assertMatch(result.error.message, /^Cannot broadcast from handler "[^"]+": only a WebSocket/);
});

Deno.test("callHandler records a broadcast's endpoint, and a socket handler may leave it out", () => {
  const sent = {
    handleLogs(_req: unknown, state: HandlerState) {
      state.broadcast(1, { to: "Room" });
      return { data: null };
    },
  };
  const api = callHandler(sent, call(ref, apiInput(null))) as InvocationResult;
  assertEquals(api.effects, [{ kind: "broadcast", message: 1, to: "Room" }]);
  const socketRef = tsHandler("ws_message", "src/handlers/websockets/room.ts", ["handleRoom"]);
  const own = {
    handleRoom(_message: unknown, _connection: unknown, state: HandlerState) {
      state.broadcast(2);
    },
  };
  const input = {
    kind: "ws_message" as const,
    message: { data: null, timestamp: "t" },
    connection: { connectionId: "c", path: "/room", connectedAt: "t" },
  };
  const ws = callHandler(own, call(socketRef, input)) as InvocationResult;
  assertEquals(ws.effects, [{ kind: "broadcast", message: 2 }]);
});
