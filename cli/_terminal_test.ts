import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { LogEntry } from "../telemetry/mod.ts";
import { HANDLER_FAILURE_SPAN, MIDDLEWARE_REJECTION_SPAN } from "../engine/mod.ts";
import { type TerminalOptions, terminalPrinter } from "./_terminal.ts";

const OPTIONS: TerminalOptions = {
  format: "pretty",
  color: false,
  requests: false,
  workbench: "http://127.0.0.1:3000/_rohas/",
  maxAttempts: 5,
  instance: "vm-1",
};

const FAILURE: LogEntry = {
  timestamp: "2026-12-06T10:00:00.000Z",
  level: "error",
  target: "rohas::engine",
  message: 'Handler "Fail" failed (error): kaboom',
  fields: {
    kind: "api",
    reason: "error",
    error: "Error",
    message: "kaboom",
    stack: `Error: kaboom\n    at handleFail (file:///app/src/handlers/api/fail.ts:2:9)\n    at ` +
      `apply (${new URL("../engine/runtime/_call_handler.ts", import.meta.url).href}:1:1)`,
  },
  trace_id: "t-1",
  handler: "Fail",
  span_name: HANDLER_FAILURE_SPAN,
  span_fields: {},
};

function print(options: TerminalOptions, entry: LogEntry): string {
  const out: string[] = [];
  terminalPrinter(options, (line) => out.push(line))({ kind: "log", entry });
  return out.join("");
}

Deno.test("a handler failure prints its error, its own stack frames and the trace link", () => {
  assertEquals(
    print(OPTIONS, FAILURE),
    '10:00:00.000 ERROR API handler "Fail" failed: Error: kaboom\n' +
      "      at handleFail (file:///app/src/handlers/api/fail.ts:2:9)\n" +
      "    http://127.0.0.1:3000/_rohas/#/traces/t-1\n",
  );
});

Deno.test("the level is coloured only when asked, and the process's own instance is left out", () => {
  const log: LogEntry = {
    ...FAILURE,
    level: "warn",
    target: "handler:Fail",
    message: "Low disk",
    fields: { instance: "vm-1", free: "2%" },
    span_name: "handler_log",
  };
  assertEquals(print(OPTIONS, log), "10:00:00.000 WARN  [Fail] Low disk free=2%\n");
  const coloured = print({ ...OPTIONS, color: true }, log);
  assertEquals(coloured, "10:00:00.000 \x1b[33mWARN \x1b[0m [Fail] Low disk free=2%\n");
  assert(print({ ...OPTIONS, instance: "vm-2" }, log).includes("instance=vm-1"));
});

Deno.test("JSON lines keep every field, the whole stack and the link", () => {
  const record = JSON.parse(print({ ...OPTIONS, format: "json" }, FAILURE));
  assertEquals(record.kind, "handler_failure");
  assertEquals(record.error, "Error: kaboom");
  assertEquals(record.link, "http://127.0.0.1:3000/_rohas/#/traces/t-1");
  assertEquals(record.stack, FAILURE.fields.stack);
});

Deno.test("an HttpError below 500 prints the status it answered, without a stack", () => {
  const rejected: LogEntry = {
    ...FAILURE,
    level: "info",
    handler: "auth",
    fields: {
      ...FAILURE.fields,
      kind: "middleware",
      error: "HttpError",
      message: "No token",
      status: "401",
    },
  };
  assertEquals(
    print(OPTIONS, rejected),
    '10:00:00.000 INFO  middleware handler "auth" answered 401: HttpError: No token\n' +
      "    http://127.0.0.1:3000/_rohas/#/traces/t-1\n",
  );
});

Deno.test("a middleware's rejection prints as one, with its status and the trace link", () => {
  const rejection: LogEntry = {
    timestamp: "2026-12-06T10:00:00.000Z",
    level: "warn",
    target: "rohas::engine",
    message: 'Middleware "auth" rejected the request with 401: No token',
    fields: { middleware: "auth", status: "401", message: "No token" },
    trace_id: "t-1",
    handler: "auth",
    span_name: MIDDLEWARE_REJECTION_SPAN,
    span_fields: {},
  };
  assertEquals(
    print(OPTIONS, rejection),
    '10:00:00.000 WARN  middleware "auth" rejected the request with 401: No token\n' +
      "    http://127.0.0.1:3000/_rohas/#/traces/t-1\n",
  );
  const record = JSON.parse(print({ ...OPTIONS, format: "json" }, rejection));
  assertEquals([record.kind, record.status, record.handler], ["middleware_rejection", 401, "auth"]);
});
