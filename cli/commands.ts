/**
 * Every `rohas` subcommand, loaded lazily so `rohas version` does not load the engine.
 * Add a command: one file exporting `command: Command`, one line here.
 *
 * @module
 */

import type { Command } from "./command.ts";

/** Command name to a loader of its module. */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  codegen: async () => (await import("./codegen.ts")).command,
  init: async () => (await import("./init.ts")).command,
  version: async () => (await import("./version.ts")).command,
  validate: async () => (await import("./validate.ts")).command,
  "list-handlers": async () => (await import("./list_handlers.ts")).command,
  "list-events": async () => (await import("./list_events.ts")).command,
  dev: async () => (await import("./dev.ts")).command,
  start: async () => (await import("./start.ts")).command,
  cron: async () => (await import("./cron.ts")).command,
  dlq: async () => (await import("./dlq.ts")).command,
  diff: async () => (await import("./diff.ts")).command,
};
