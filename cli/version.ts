/** `rohas version`. @module */

import denoJson from "../deno.json" with { type: "json" };
import type { CliIo, Command } from "./command.ts";
import { parseCommandArgs } from "./_args.ts";

/** The package version, from `deno.json`. */
export const VERSION: string = denoJson.version;

const HELP = `Usage: rohas version

Prints the Rohas version, as "rohas <version>".

Options:
  -h, --help Show this help

Example:
  rohas version`;

/** `rohas version`: prints `rohas <version>`. */
export const command: Command = {
  name: "version",
  summary: "Print the version",
  help: HELP,
  run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs(args, {
      command: "version",
      options: {},
      maxPositionals: 0,
      io,
    });
    if (parsed === null) return Promise.resolve(1);
    io.stdout(`rohas ${VERSION}\n`);
    return Promise.resolve(0);
  },
};
