/**
 * `rohas cron run <Name> [path]`: runs one cron job now in a fresh engine instance, publishes its
 * triggers, waits until the events it caused were handled, and exits 0 (success) or 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { CliIo, Command } from "./command.ts";
import { assemble, type Assembly } from "../engine/assemble.ts";
import { ServeError } from "../engine/errors.ts";
import { printFailure } from "./dev.ts";

async function runJob(name: string, path: string, io: CliIo): Promise<number> {
  let app: Assembly;
  try {
    app = await assemble({
      project: { kind: "path", path, cwd: io.cwd },
      mode: "dev",
      // Like `rohas dev`: generated code is refreshed first (Python handlers import it).
      codegen: true,
      // The same runtime as dev and start: TypeScript and Python handlers, by file.
      runtime: { kind: "project" },
      // Events stay in this process, so the command knows when the ones the job caused were
      // handled; on the project's broker, running servers would compete for them.
      events: { kind: "memory" },
      telemetry: { kind: "off" },
      cron: false,
    });
  } catch (error) {
    if (!(error instanceof ServeError)) throw error;
    printFailure(error.failure, io);
    return 1;
  }
  try {
    const outcome = await app.engine.runCron(name);
    if (!outcome.ok) {
      io.stderr(`Error: Cron job "${name}" failed: ${outcome.error}\n`);
      return 1;
    }
    await app.engine.idle();
    const handled = app.engine.deliveriesSettled();
    io.stdout(
      `Cron job "${name}" ran (trace ${outcome.traceId}); ${handled} event deliveries handled\n`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

/** `rohas cron`. */
export const command: Command = {
  name: "cron",
  summary: "Run a cron job now: rohas cron run <Name>",
  help: `Usage: rohas cron run <Name> [path]

Runs one cron job of the project now, publishes its triggers and waits until the events it
caused were handled. Exits 0 on success, 1 on failure.

The run is self-contained: its events go through the embedded memory adapter in this process,
whatever [adapter] names, so the command can tell when the ones the job caused were handled (on
the project's broker, running servers would compete for them, and their handlers would run there).

Options:
  path            The project directory (default: the current directory)
  -h, --help      Show this help

Example:
  rohas cron run Tick examples/hello-ts
`,
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const [sub, name, path] = positionals;
    if (sub !== "run" || name === undefined) {
      io.stderr('Error: Expected "rohas cron run <Name> [path]"\n');
      return 1;
    }
    try {
      return await runJob(name, path ?? ".", io);
    } catch (error) {
      io.stderr(`Error: ${(error as Error).message ?? String(error)}\n`);
      return 1;
    }
  },
};
