/** `rohas version`. @module */

import denoJson from "../deno.json" with { type: "json" };
import type { Command } from "./command.ts";

/** The package version, from `deno.json`. */
export const VERSION: string = denoJson.version;

/** `rohas version`: prints `rohas <version>`. */
export const command: Command = {
  name: "version",
  summary: "Print the version",
  help: "Usage: rohas version\n\nPrints the Rohas version.",
  run(_args, io) {
    io.stdout(`rohas ${VERSION}\n`);
    return Promise.resolve(0);
  },
};
