/**
 * The workbench API routes that read telemetry: traces (listed, as a tree with their logs, long
 * polled), logs (listed, long polled) and the kinds a Server-Sent Events stream carries.
 *
 * @module
 */

import type { EntryType, LogEntry, TraceRecord, TraceStatus } from "../telemetry/mod.ts";
import type { Ctx } from "./_context.ts";
import { pollLogs, pollTraces } from "./_live.ts";
import { WorkbenchError } from "./errors.ts";

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new WorkbenchError(400, `Invalid "${name}" "${raw}": expected a non-negative number`);
  }
  return Math.min(Math.floor(n), max);
}

const ENTRY_TYPES = new Set(["api", "event", "cron", "websocket"]);
const STATUSES = new Set(["running", "success", "failed"]);
const LEVELS = new Set(["error", "warn", "info", "debug", "trace"]);

/** `GET traces`: the latest traces, filtered by type, status, time range and text (`q`). */
export async function listTraces(ctx: Ctx): Promise<TraceRecord[]> {
  const p = ctx.url.searchParams;
  const type = p.get("type");
  const status = p.get("status");
  const text = p.get("q")?.toLowerCase() ?? "";
  const since = p.get("since");
  const until = p.get("until");
  if (type && !ENTRY_TYPES.has(type)) throw new WorkbenchError(400, `Unknown trace type "${type}"`);
  if (status && !STATUSES.has(status)) throw new WorkbenchError(400, `Unknown status "${status}"`);
  const limit = intParam(ctx.url, "limit", 100, 1000);
  const traces = await ctx.options.telemetry.traces({
    limit: text ? 1000 : limit,
    ...(type ? { entryType: type as EntryType } : {}),
    ...(status ? { status: status as TraceStatus } : {}),
    ...(since && !Number.isNaN(Date.parse(since)) ? { since: new Date(since) } : {}),
    ...(until && !Number.isNaN(Date.parse(until)) ? { until: new Date(until) } : {}),
  });
  if (!text) return traces;
  return traces.filter((t) => JSON.stringify(t).toLowerCase().includes(text)).slice(0, limit);
}

/** `GET traces/{id}`: the trace with its descendants (16 levels at most) and all their logs. */
export async function traceTree(ctx: Ctx, id: string): Promise<Record<string, unknown>> {
  const telemetry = ctx.options.telemetry;
  const root = await telemetry.trace(id);
  if (!root) throw new WorkbenchError(404, `No trace "${id}"`);
  const seen = new Set<string>([id]);
  async function withChildren(trace: TraceRecord, depth: number): Promise<Record<string, unknown>> {
    const children = depth >= 16 ? [] : await telemetry.traces({ parentId: trace.id, limit: 200 });
    const fresh = children.filter((c) => !seen.has(c.id));
    for (const c of fresh) seen.add(c.id);
    const nested = await Promise.all(fresh.reverse().map((c) => withChildren(c, depth + 1)));
    return { ...trace, children: nested };
  }
  const tree = await withChildren(root, 0);
  const logs = await Promise.all([...seen].map((t) => telemetry.logs({ traceId: t, limit: 500 })));
  const flat = logs.flat().sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return { ...tree, logs: flat };
}

/** `GET traces/poll`: traces newer than `since`, waiting up to `timeout` seconds for one. */
export function tracePoll(ctx: Ctx): Promise<TraceRecord[]> {
  return pollTraces(ctx.options.telemetry, {
    since: ctx.url.searchParams.get("since") || null,
    timeoutS: intParam(ctx.url, "timeout", 30, 120),
  });
}

function levelParam(url: URL): LogEntry["level"] | undefined {
  const level = url.searchParams.get("level");
  if (!level) return undefined;
  if (!LEVELS.has(level)) throw new WorkbenchError(400, `Unknown log level "${level}"`);
  return level as LogEntry["level"];
}

/** `GET logs`: the latest log entries, filtered by level, trace id and text (`q`). */
export async function listLogs(ctx: Ctx): Promise<LogEntry[]> {
  const p = ctx.url.searchParams;
  const level = levelParam(ctx.url);
  const traceId = p.get("trace_id");
  const text = p.get("q")?.toLowerCase() ?? "";
  const limit = intParam(ctx.url, "limit", 100, 5000);
  const logs = await ctx.options.telemetry.logs({
    limit: text ? 5000 : limit,
    ...(level ? { level } : {}),
    ...(traceId ? { traceId } : {}),
  });
  if (!text) return logs;
  return logs.filter((l) => JSON.stringify(l).toLowerCase().includes(text)).slice(0, limit);
}

/** `GET logs/poll`: log entries newer than `since`, waiting up to `timeout` seconds for one. */
export function logPoll(ctx: Ctx): Promise<LogEntry[]> {
  return pollLogs(ctx.options.telemetry, {
    since: ctx.url.searchParams.get("since") || null,
    level: levelParam(ctx.url),
    timeoutS: intParam(ctx.url, "timeout", 30, 120),
  });
}

/** The kinds `GET stream` sends, from `kinds=trace,log`; every kind when it is not given. */
export function streamKinds(url: URL): { kinds?: ReadonlySet<"trace" | "log"> } {
  const raw = url.searchParams.get("kinds");
  if (!raw) return {};
  const kinds = new Set(
    raw.split(",").filter((k): k is "trace" | "log" => k === "trace" || k === "log"),
  );
  return { kinds };
}
