/**
 * `rohas cron run <Name> [path]`: runs one cron job now in a fresh engine instance, publishes its
 * triggers, waits until the events it caused were handled, and exits 0 (success) or 1.
 *
 * @module
 */

import type { CliIo, CommandRun } from "./command.ts";
import type { CRON } from "./commands.ts";
import { assemble, type Assembly } from "../engine/mod.ts";
import { ServeError } from "../engine/mod.ts";
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
      // Delayed events it schedules wait in the shared state for the serving instances.
      fireDelayed: false,
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

/** Runs `rohas cron run <Name> [path]`. */
export const run: CommandRun<typeof CRON> = async ({ args, project }, io) =>
  // The parser checked that the action is "run" and that the name is there.
  await runJob(args.Name!, project ?? ".", io);
