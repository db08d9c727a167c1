/**
 * Every `rohas` subcommand, loaded lazily so `rohas version` does not load the engine.
 * Add a command: one file exporting `command: Command`, one line here.
 *
 * @module
 */

import type { Command } from "./command.ts";

/** Command name to a loader of its module. */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  version: async () => (await import("./version.ts")).command,
};
