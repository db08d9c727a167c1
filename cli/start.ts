/**
 * `rohas start [path] [--port N] [--workbench]`: serve in production (no codegen, no watcher,
 * error messages of failing handlers hidden from clients).
 *
 * @module
 */

import type { CommandRun } from "./command.ts";
import type { START } from "./commands.ts";
import { serveUntilSignal } from "./dev.ts";

/** Runs `rohas start`. */
export const run: CommandRun<typeof START> = async ({ values, project }, io) =>
  await serveUntilSignal(
    {
      ...(values.port === undefined ? {} : { port: values.port }),
      watch: false,
      workbench: values.workbench === true,
      path: project ?? ".",
      ...(values["log-level"] === undefined ? {} : { logLevel: values["log-level"] }),
      logRequests: values["log-requests"] === true,
    },
    io,
    "production",
  );
