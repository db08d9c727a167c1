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
