/**
 * `rohas list-handlers [path]`: the handlers a schema asks for, in the original's layout.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { CommandRun } from "./command.ts";
import type { LIST_HANDLERS } from "./commands.ts";
import { quotedList, runList } from "./_list_common.ts";

/** Runs `rohas list-handlers`. */
export const run: CommandRun<typeof LIST_HANDLERS> = ({ project }, io) =>
  runList(project, io, formatHandlers);

/** The original's layout, plus a WebSocket section (the original left those handlers out).
 *
 * @param schema the schema
 * @returns the text
 */
export function formatHandlers(schema: Schema): string {
  const lines = ["API Handlers:"];
  for (const api of schema.apis) lines.push(`  - ${api.name} (${api.method} ${api.path})`);
  lines.push("", "Event Handlers:");
  for (const event of schema.events) {
    lines.push(`  - ${event.name} (handlers: ${quotedList(event.handlers)})`);
  }
  lines.push("", "Cron Jobs:");
  for (const cron of schema.crons) lines.push(`  - ${cron.name} (${cron.schedule})`);
  if (schema.websockets.length > 0) {
    lines.push("", "WebSocket Handlers:");
    for (const ws of schema.websockets) {
      lines.push(
        `  - ${ws.name} (${ws.path}; onConnect: ${quotedList(ws.on_connect)}, onMessage: ${
          quotedList(ws.on_message)
        }, onDisconnect: ${quotedList(ws.on_disconnect)})`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
