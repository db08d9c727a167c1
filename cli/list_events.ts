/**
 * `rohas list-events [path]`: every event with its payload, handlers and triggers.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { CliIo, Command } from "./command.ts";
import { parseCommandArgs } from "./_args.ts";
import { loadParsedOrReport, quotedList } from "./_list_common.ts";

const HELP = `Usage: rohas list-events [path]

Lists every event of the schema with its payload type, handlers and the events it
triggers, in schema order (files sorted by path).

Arguments:
  path       A project directory, a schema directory or one .ro file
             (default: the project around the working directory)

Options:
  -h, --help Show this help

Example:
  rohas list-events examples/hello-world`;

/** `rohas list-events`. */
export const command: Command = {
  name: "list-events",
  summary: "List the events of the schema with payloads, handlers and triggers",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs(args, {
      command: "list-events",
      options: {},
      maxPositionals: 1,
      io,
    });
    if (parsed === null) return 1;
    const schema = await loadParsedOrReport(parsed.positionals[0], io);
    if (schema === null) return 1;
    io.stdout(formatEvents(schema));
    return 0;
  },
};

/** The original's layout: `Triggers:` only when the event has some.
 *
 * @param schema the schema
 * @returns the text
 */
export function formatEvents(schema: Schema): string {
  const lines = ["Events:"];
  for (const event of schema.events) {
    lines.push("", `  ${event.name}`, `    Payload: ${event.payload}`);
    lines.push(`    Handlers: ${quotedList(event.handlers)}`);
    if (event.triggers.length > 0) lines.push(`    Triggers: ${quotedList(event.triggers)}`);
  }
  return lines.join("\n") + "\n";
}
