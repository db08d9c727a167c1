/**
 * The terminal as the first dashboard: what `rohas dev` and `rohas start` print of the telemetry
 * the engine streams (handler failures with their stack, dead letters, `state.logger` lines and,
 * when asked, one line per request). `dev` prints readable lines coloured by level; `start`
 * prints one JSON object per line with the same fields, for a log collector.
 *
 * @module
 */

import type { LogEntry, TelemetryEvent, TraceRecord } from "../telemetry/mod.ts";
import {
  DEAD_LETTER_SPAN,
  HANDLER_FAILURE_SPAN,
  MIDDLEWARE_REJECTION_SPAN,
} from "../engine/mod.ts";

/** How the terminal prints. */
export interface TerminalOptions {
  /** `pretty` for people (`rohas dev`), `json` for log collectors (`rohas start`). */
  format: "pretty" | "json";
  /** Colour the level of pretty lines (never when `NO_COLOR` is set or stdout is not a TTY). */
  color: boolean;
  /** Print one line per completed API request. */
  requests: boolean;
  /** The workbench root, such as `http://127.0.0.1:3000/_rohas/`; null when it is not served. */
  workbench: string | null;
  /** `[adapter] max_attempts`, shown beside an event handler's attempt. */
  maxAttempts: number;
  /**
   * This process's instance id: pretty lines leave out an `instance` field naming it (every line
   * would repeat it); JSON lines keep it. Default none.
   */
  instance?: string;
}

/** One printed record: the fields of a JSON line, also what a pretty line shows. */
export interface TerminalRecord {
  time: string;
  level: LogEntry["level"];
  /**
   * `log` (`state.logger` and the engine), `handler_failure`, `middleware_rejection` (a
   * middleware turned a request away with a status below 500), `dead_letter` or `request`.
   */
  kind: "log" | "handler_failure" | "middleware_rejection" | "dead_letter" | "request";
  message: string;
  handler?: string;
  /** The handler's kind (`api`, `event`, `cron`, `websocket`, `middleware`...). */
  handler_kind?: string;
  /** The error's class name and message, for failures. */
  error?: string;
  stack?: string;
  /** The HTTP status an `HttpError` picked. */
  status?: number;
  attempt?: number;
  max_attempts?: number;
  event?: string;
  trace_id?: string;
  /** The trace in the workbench. */
  link?: string;
  target?: string;
  fields?: Record<string, string>;
}

/** Makes the telemetry listener that prints.
 *
 * @param options format, colour, request lines, the workbench and the retry limit
 * @param write where a finished line (with its newline) goes
 * @returns the listener for `TelemetryReader.subscribe`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { terminalPrinter } from "./_terminal.ts";
 * const lines: string[] = [];
 * const print = terminalPrinter(
 *   { format: "json", color: false, requests: false, workbench: null, maxAttempts: 5 },
 *   (line) => lines.push(line),
 * );
 * print({ kind: "log", entry: {
 *   timestamp: new Date().toISOString(), level: "info", target: "handler:hello",
 *   message: "Saying hello", fields: {}, span_fields: {}, handler: "hello",
 * } });
 * assertEquals(JSON.parse(lines[0]!).message, "Saying hello");
 * ```
 */
export function terminalPrinter(
  options: TerminalOptions,
  write: (line: string) => void,
): (event: TelemetryEvent) => void {
  return (event) => {
    const record = event.kind === "log"
      ? recordOfLog(event.entry, options)
      : options.requests
      ? recordOfRequest(event.trace, options)
      : null;
    if (record === null) return;
    write(options.format === "json" ? JSON.stringify(record) + "\n" : pretty(record, options));
  };
}

function recordOfLog(entry: LogEntry, options: TerminalOptions): TerminalRecord {
  const base = {
    time: entry.timestamp,
    level: entry.level,
    ...(entry.handler === undefined ? {} : { handler: entry.handler }),
    ...(entry.trace_id === undefined ? {} : { trace_id: entry.trace_id }),
    ...linkOf(entry.trace_id, options),
  };
  const f = entry.fields;
  switch (entry.span_name) {
    case HANDLER_FAILURE_SPAN:
      return {
        ...base,
        kind: "handler_failure",
        message: f.message ?? entry.message,
        error: `${f.error ?? "Error"}: ${f.message ?? entry.message}`,
        ...(f.kind === undefined ? {} : { handler_kind: f.kind }),
        ...(f.stack === undefined ? {} : { stack: f.stack }),
        ...(f.status === undefined ? {} : { status: Number(f.status) }),
        ...(f.attempt === undefined
          ? {}
          : { attempt: Number(f.attempt), max_attempts: options.maxAttempts }),
      };
    case MIDDLEWARE_REJECTION_SPAN:
      return {
        ...base,
        kind: "middleware_rejection",
        message: f.message ?? entry.message,
        ...(f.status === undefined ? {} : { status: Number(f.status) }),
      };
    case DEAD_LETTER_SPAN:
      return {
        ...base,
        kind: "dead_letter",
        message: entry.message,
        error: `${f.error ?? "Error"}: ${f.message ?? ""}`,
        ...(f.event === undefined ? {} : { event: f.event }),
        ...(f.attempts === undefined ? {} : { attempt: Number(f.attempts) }),
      };
    default:
      return {
        ...base,
        kind: "log",
        message: entry.message,
        target: entry.target,
        ...(Object.keys(f).length === 0 ? {} : { fields: f }),
      };
  }
}

function recordOfRequest(trace: TraceRecord, options: TerminalOptions): TerminalRecord | null {
  if (trace.entry_type !== "api" || trace.status === "running") return null;
  const m = trace.metadata ?? {};
  // `status` is the HTTP status where the engine annotated it, else the trace's outcome.
  const status = m.status ?? trace.status;
  return {
    time: trace.completed_at ?? trace.started_at,
    level: trace.status === "failed" ? "warn" : "info",
    kind: "request",
    message: `${m.method ?? "?"} ${m.path ?? trace.bucket} ${status} ` +
      `${trace.duration_ms.toFixed(1)} ms`,
    handler: trace.entry_point,
    trace_id: trace.id,
    ...linkOf(trace.id, options),
  };
}

function linkOf(traceId: string | undefined, options: TerminalOptions): { link?: string } {
  if (traceId === undefined || options.workbench === null) return {};
  return { link: `${options.workbench}#/traces/${encodeURIComponent(traceId)}` };
}

const COLORS = {
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[32m",
  debug: "\x1b[36m",
  trace: "\x1b[90m",
} as const satisfies Record<LogEntry["level"], string>;

function pretty(r: TerminalRecord, options: TerminalOptions): string {
  const time = r.time.slice(11, 23);
  const label = r.level.toUpperCase().padEnd(5);
  const level = options.color ? `${COLORS[r.level]}${label}\x1b[0m` : label;
  const lines = [`${time} ${level} ${headline(r, options.instance)}`];
  // A handler answering a client (an HttpError below 500, at info) needs no stack.
  if (r.stack !== undefined && r.level === "error") lines.push(...indent(stackBelow(r.stack)));
  if (r.kind === "dead_letter" && r.event !== undefined) {
    lines.push(`    replay: rohas dlq replay ${r.event} --all`);
  }
  if (r.kind !== "log" && r.kind !== "request") lines.push(`    ${traceLine(r)}`);
  return lines.join("\n") + "\n";
}

function headline(r: TerminalRecord, instance: string | undefined): string {
  switch (r.kind) {
    case "handler_failure": {
      const attempt = r.attempt === undefined ? "" : ` (attempt ${r.attempt} of ${r.max_attempts})`;
      const what = r.status === undefined ? "failed" : `answered ${r.status}`;
      return `${kindName(r.handler_kind)} handler "${r.handler}" ${what}${attempt}: ${r.error}`;
    }
    case "middleware_rejection":
      return `middleware "${r.handler}" rejected the request with ${r.status}: ${r.message}`;
    case "dead_letter":
      return r.message;
    case "request":
      return `${r.message} ${r.handler}${r.trace_id === undefined ? "" : ` ${traceLine(r)}`}`;
    case "log": {
      const who = r.handler ?? r.target;
      const fields = Object.entries(r.fields ?? {})
        .filter(([k, v]) => !(k === "instance" && v === instance))
        .map(([k, v]) => ` ${k}=${v}`).join("");
      return `[${who}] ${r.message}${fields}`;
    }
  }
}

/** How a handler's kind reads in a sentence. */
const KIND_NAMES: Readonly<Record<string, string>> = {
  api: "API",
  event: "event",
  cron: "cron",
  ws_connect: "WebSocket connect",
  ws_message: "WebSocket message",
  ws_disconnect: "WebSocket disconnect",
  middleware: "middleware",
};

function kindName(kind: string | undefined): string {
  return kind === undefined ? "a" : KIND_NAMES[kind] ?? kind;
}

function traceLine(r: TerminalRecord): string {
  return r.link ?? `trace ${r.trace_id ?? "none"}`;
}

/** Where the engine's own frames come from: they say nothing about the handler's bug. */
const ENGINE_FRAMES = new URL("../engine/", import.meta.url).href;

/** The stack without its first line (the error, shown already) and without the engine's frames. */
function stackBelow(stack: string): string[] {
  return stack.split("\n").slice(1).map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.includes(ENGINE_FRAMES));
}

function indent(lines: string[]): string[] {
  return lines.map((l) => `      ${l}`);
}
