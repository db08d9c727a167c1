/**
 * `rohas list-handlers [path]`: the handlers a schema asks for, in the original's layout.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { Command } from "./command.ts";
import { listCommand, quotedList } from "./_list_common.ts";

/** `rohas list-handlers`. */
export const command: Command = listCommand({
  name: "list-handlers",
  summary: "List the API, event, cron and WebSocket handlers of the schema",
  description:
    `Lists the handlers the schema needs: one per API, the event handlers, the cron jobs and
the WebSocket handlers, in schema order (files sorted by path).`,
  format: formatHandlers,
});

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
