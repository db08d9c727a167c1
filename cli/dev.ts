/**
 * `rohas dev [path] [--port N] [--no-watch] [--no-workbench]`: codegen, build, serve with hot reload
 * and the workbench.
 * Also holds what `rohas start` shares: the diagnostics printer, serving until a signal.
 *
 * @module
 */

import { relative } from "node:path";
import type { Diagnostic } from "../parser/mod.ts";
import type { CliIo, CommandRun } from "./command.ts";
import type { DEV } from "./commands.ts";
import { type ServedProject, type ServeEvent, serveProject } from "../engine/mod.ts";
import { ServeError } from "../engine/mod.ts";
import type { PrepareFailure } from "../engine/mod.ts";
import type { EngineMode } from "../engine/mod.ts";
import { pythonPermissionsWarning } from "./_python_permissions.ts";
import { edgesDenied } from "../engine/edge/mod.ts";
import type { LogLevel } from "../telemetry/mod.ts";
import { terminalPrinter } from "./_terminal.ts";

/** Formats diagnostics as `file:line:col: error[code]: message`, the source line and a caret.
 *
 * @param diagnostics the problems
 * @param sources file contents by path
 * @param cwd paths are shown relative to it
 * @returns the text
 */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  cwd: string,
): string {
  const out: string[] = [];
  for (const d of diagnostics) {
    const file = d.file.startsWith("/") ? relative(cwd, d.file) : d.file;
    out.push(`${file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}`);
    const line = sources.get(d.file)?.split("\n")[d.line - 1];
    if (line === undefined) continue;
    const width = d.endLine === d.line ? Math.max(1, d.endColumn - d.column) : 1;
    out.push(`  ${String(d.line).padStart(4)} | ${line}`);
    out.push(`       | ${" ".repeat(Math.max(0, d.column - 1))}${"^".repeat(width)}`);
  }
  return out.join("\n") + "\n";
}

/** Prints a preparation failure.
 *
 * @param failure diagnostics or an error
 * @param io where to print
 */
export function printFailure(failure: PrepareFailure, io: CliIo): void {
  if (failure.kind === "diagnostics") {
    io.stderr(formatDiagnostics(failure.diagnostics, failure.sources, io.cwd));
    io.stderr(`Error: The schema has ${failure.diagnostics.length} error(s)\n`);
  } else {
    io.stderr(`Error: ${failure.error.message}\n`);
  }
}

/** The options `dev` and `start` accept. */
export interface ServeArgs {
  port?: number;
  watch: boolean;
  workbench: boolean;
  path: string;
  /** `--log-level`: overrides `[log] level` and `ROHAS_LOG`. */
  logLevel?: LogLevel;
  /** `--log-requests`: one line per API request. */
  logRequests: boolean;
}

function summary(served: ServedProject): string {
  const m = served.model;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  return [
    `${served.config.project.name}:`,
    count(m.routes.length, "API") + ",",
    count(m.events.length, "event") + ",",
    count(m.schedules.length, "cron job") + ",",
    count(m.sockets.length, "WebSocket") + ";",
    `adapter ${served.adapterType}, telemetry ${served.telemetryType}, ` +
    `instance ${served.config.server.instance_id}` +
    (served.edges > 0
      ? `; ${served.edges} edge process${served.edges === 1 ? "" : "es"} on the port`
      : ""),
  ].join(" ");
}

/** What the printer remembers between events: whether the last type check failed. */
interface PrintMemory {
  typeErrors: boolean;
}

function printReloaded(event: ServeEvent & { kind: "handler_reloaded" }, io: CliIo): void {
  const file = relative(io.cwd, event.file);
  if (event.error) io.stderr(`Reload failed for ${file}: ${event.error}\n`);
  else if (event.handlers.length === 0) io.stdout(`Changed ${file}: no handler imports it\n`);
  else {
    io.stdout(
      `Reloaded ${file} (${event.ms.toFixed(0)} ms): live in ${event.handlers.join(", ")}\n`,
    );
  }
}

function printTypeCheck(
  event: ServeEvent & { kind: "type_check" },
  io: CliIo,
  seen: PrintMemory,
): void {
  if (!event.ok) {
    io.stderr(`Type errors (still serving; the code runs as loaded):\n${event.output}\n`);
  } else if (seen.typeErrors) io.stdout("Type check passed\n");
  seen.typeErrors = !event.ok;
}

function printEvent(event: ServeEvent, io: CliIo, seen: PrintMemory): void {
  switch (event.kind) {
    case "handler_reloaded":
      printReloaded(event, io);
      return;
    case "type_check":
      printTypeCheck(event, io, seen);
      return;
    case "config_changed":
      io.stdout("Config changed: restarting the engine in place\n");
      return;
    case "config_applied":
      io.stdout(`Config applied: listening on ${event.url} (${event.ms.toFixed(0)} ms)\n`);
      return;
    case "schema_reloaded":
      io.stdout(`Schema reloaded: ${event.routes} APIs (${event.ms.toFixed(0)} ms)\n`);
      return;
    case "reload_failed":
      printFailure(event.failure, io);
      io.stderr("Still serving the last good version\n");
      return;
    case "cron_skipped":
      io.stdout(`Cron job "${event.name}" skipped at ${event.at.toISOString()}: still running\n`);
      return;
    case "cron_failed":
      io.stderr(`Cron job "${event.name}" failed: ${event.message}\n`);
      return;
    case "instance_warning":
      io.stderr(`Warning: ${event.message}\n`);
      return;
    case "worker_restarted":
      io.stderr(`Worker of profile "${event.profile}" restarted: ${event.message}\n`);
      return;
    case "python_restarted":
      io.stderr(`${event.restart.message}\n`);
      return;
  }
}

/** Serves a project until SIGINT/SIGTERM, then drains and resolves with the exit code.
 *
 * @param args the parsed options
 * @param io where to print
 * @param mode dev or production
 * @returns 0 after a clean shutdown, 1 when the project cannot start
 */
export async function serveUntilSignal(
  args: ServeArgs,
  io: CliIo,
  mode: EngineMode,
): Promise<number> {
  let served: ServedProject;
  const seen: PrintMemory = { typeErrors: false };
  try {
    served = await serveProject({
      path: args.path,
      cwd: io.cwd,
      mode,
      watch: mode === "dev" && args.watch,
      workbench: args.workbench,
      ...(args.port === undefined ? {} : { port: args.port }),
      ...(args.logLevel === undefined ? {} : { logLevel: args.logLevel }),
      onEvent: (e) => printEvent(e, io, seen),
    });
  } catch (error) {
    if (error instanceof ServeError) printFailure(error.failure, io);
    else if (error instanceof Deno.errors.AddrInUse) {
      const port = args.port === undefined ? "[server] port" : `port ${args.port}`;
      io.stderr(
        `Error: Cannot listen: ${port} is in use (stop the other server or pick another)\n`,
      );
    } else io.stderr(`Error: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
  // Listen for signals before saying "listening": a SIGINT right after must still drain.
  const signalled = untilSignal();
  // Subscribed before saying "listening": what the first request does must be printed.
  await printTelemetry(served, { args, io, mode });
  for (const w of served.warnings) io.stderr(formatDiagnostics([w], new Map(), io.cwd));
  const unconfined = pythonPermissionsWarning(served.model);
  if (unconfined !== null) io.stderr(`${unconfined}\n`);
  io.stdout(`Rohas ${mode === "dev" ? "dev server" : "server"} listening on ${served.url}\n`);
  io.stdout(summary(served) + "\n");
  const noEdges = mode === "production" && served.edges === 0 && served.config.server.workers !== 0
    ? edgesDenied(served.config.permissions, served.root)
    : null;
  if (noEdges !== null) io.stdout(`${noEdges}\n`);
  if (args.workbench) io.stdout(`Workbench: ${served.url}/_rohas/\n`);
  await signalled;
  io.stdout("Shutting down: draining in-flight work\n");
  const report = await served.close();
  if (report.undrainedEvents > 0) io.stderr(undrainedWarning(report.undrainedEvents, served));
  io.stdout("Stopped\n");
  return 0;
}

/**
 * Prints what the engine streams: handler failures, dead letters, `state.logger` lines and, with
 * `--log-requests`, requests; readable under `dev`, JSON lines under `start`.
 */
async function printTelemetry(
  served: ServedProject,
  ctx: { args: ServeArgs; io: CliIo; mode: EngineMode },
): Promise<void> {
  const reader = served.telemetry;
  if (reader === null) return;
  const json = ctx.mode === "production";
  reader.subscribe(
    terminalPrinter({
      format: json ? "json" : "pretty",
      color: !json && !Deno.noColor && Deno.stdout.isTerminal(),
      requests: ctx.args.logRequests,
      workbench: ctx.args.workbench ? `${served.url}/_rohas/` : null,
      maxAttempts: served.config.adapter.max_attempts,
      instance: served.config.server.instance_id,
    }, (line) => ctx.io.stdout(line)),
    { logsOnly: !ctx.args.logRequests },
  );
  // Edge processes stream their entries once they answered the subscription.
  await reader.watching?.();
}

function undrainedWarning(count: number, served: ServedProject): string {
  const events = count === 1 ? "1 accepted event was" : `${count} accepted events were`;
  return `Warning: ${events} not handled within [server] shutdown_timeout_ms ` +
    `(${served.config.server.shutdown_timeout_ms} ms) and lost: the ${served.adapterType} adapter ` +
    `keeps events only in this process (raise shutdown_timeout_ms, or use a durable adapter)\n`;
}

function untilSignal(): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const onSignal = () => {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    resolve();
  };
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  return promise;
}

/** Runs `rohas dev`: the workbench is on unless `--no-workbench`, as a development dashboard. */
export const run: CommandRun<typeof DEV> = async ({ values, project }, io) => {
  if (values.workbench === true && values["no-workbench"] === true) {
    io.stderr("Error: --workbench and --no-workbench contradict each other: give one\n");
    return 2;
  }
  return await serveUntilSignal(
    {
      ...(values.port === undefined ? {} : { port: values.port }),
      watch: values["no-watch"] !== true,
      workbench: values["no-workbench"] !== true,
      path: project ?? ".",
      ...(values["log-level"] === undefined ? {} : { logLevel: values["log-level"] }),
      logRequests: values["log-requests"] === true,
    },
    io,
    "dev",
  );
};
