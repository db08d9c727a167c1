/**
 * `rohas list-events [path]`: every event with its payload, handlers and triggers.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { Command } from "./command.ts";
import { listCommand, quotedList } from "./_list_common.ts";

/** `rohas list-events`. */
export const command: Command = listCommand({
  name: "list-events",
  summary: "List the events of the schema with payloads, handlers and triggers",
  description: `Lists every event of the schema with its payload type, handlers and the events it
triggers, in schema order (files sorted by path).`,
  format: formatEvents,
});

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
