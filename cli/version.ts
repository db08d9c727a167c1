/** `rohas version`. @module */

import denoJson from "../deno.json" with { type: "json" };
import type { CommandRun } from "./command.ts";
import type { VERSION_COMMAND } from "./commands.ts";

/** The package version, from `deno.json`. */
export const VERSION: string = denoJson.version;

/** Runs `rohas version`: prints `rohas <version>`. */
export const run: CommandRun<typeof VERSION_COMMAND> = (_parsed, io) => {
  io.stdout(`rohas ${VERSION}\n`);
  return Promise.resolve(0);
};
