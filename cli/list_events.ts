/**
 * `rohas list-events [path]`: every event with its payload, handlers and triggers.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { CommandRun } from "./command.ts";
import type { LIST_EVENTS } from "./commands.ts";
import { quotedList, runList } from "./_list_common.ts";

/** Runs `rohas list-events`. */
export const run: CommandRun<typeof LIST_EVENTS> = ({ project }, io) =>
  runList(project, io, formatEvents);

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
