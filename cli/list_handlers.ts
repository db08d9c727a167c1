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

/** The original's layout, plus WebSocket and middleware sections (the original left both out).
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
  lines.push(...middlewareLines(schema));
  return lines.join("\n") + "\n";
}

/** Each middleware once, with the APIs and WebSockets it guards, in schema order. */
function middlewareLines(schema: Schema): string[] {
  const guards = new Map<string, { apis: string[]; sockets: string[] }>();
  const entry = (name: string) => {
    const found = guards.get(name) ?? { apis: [], sockets: [] };
    guards.set(name, found);
    return found;
  };
  for (const api of schema.apis) for (const m of api.middlewares) entry(m).apis.push(api.name);
  for (const ws of schema.websockets) {
    for (const m of ws.middlewares) entry(m).sockets.push(ws.name);
  }
  if (guards.size === 0) return [];
  const lines = ["", "Middlewares:"];
  for (const [name, { apis, sockets }] of guards) {
    const parts = [
      ...(apis.length > 0 ? [`APIs: ${quotedList(apis)}`] : []),
      ...(sockets.length > 0 ? [`WebSockets: ${quotedList(sockets)}`] : []),
    ];
    lines.push(`  - ${name} (${parts.join("; ")})`);
  }
  return lines;
}
