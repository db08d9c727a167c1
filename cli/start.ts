/**
 * `rohas start [--port N] [--workbench] [path]`: serve in production (no codegen, no watcher, error messages of
 * failing handlers hidden from clients).
 *
 * @module
 */

import type { Command } from "./command.ts";
import { parseServeArgs, serveUntilSignal } from "./dev.ts";

/** `rohas start`. */
export const command: Command = {
  name: "start",
  summary: "Serve the project in production mode",
  help: `Usage: rohas start [--port N] [--workbench] [path]

Validates the schema, builds the app and serves it on [server] host:port, without codegen or
file watching. Handler error messages are not shown to clients.

Options:
  -p, --port N    Listen on this port instead of [server] port (0 picks a free one)
  --workbench     Serve the workbench; refuses to start without [workbench] api_key or
                  ROHAS_WORKBENCH_API_KEY (no loopback exception here)
  path            The project directory (default: the current directory)
  -h, --help      Show this help

Example:
  rohas start --port 8080 examples/hello-ts
`,
  async run(args, io) {
    const parsed = parseServeArgs(args);
    if (typeof parsed === "string") {
      io.stderr(`Error: ${parsed}\n`);
      return 1;
    }
    return await serveUntilSignal({ ...parsed, watch: false }, io, "production");
  },
};
