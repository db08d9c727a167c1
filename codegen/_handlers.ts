/**
 * Which handler and middleware files a schema asks for: one entry per file, in schema order, the
 * first definition winning when several share a file (docs/compatibility.md#overwrite-policy).
 *
 * @module
 */

import type { Api, Cron, Event, Schema, WebSocket } from "../parser/mod.ts";
import { snake } from "./_names.ts";

/** The role of a WebSocket handler entry. */
export type WsRole = "ws_connect" | "ws_message" | "ws_disconnect";

/** One handler file to create. `dir` is relative to the output dir; `stem` has no extension. */
export type HandlerPlan =
  | { kind: "api"; dir: string; stem: string; api: Api }
  | { kind: "event"; dir: string; stem: string; entry: string; events: Event[] }
  | { kind: "cron"; dir: string; stem: string; cron: Cron }
  | { kind: WsRole; dir: string; stem: string; entry: string; ws: WebSocket }
  | { kind: "middleware"; dir: string; stem: string; name: string };

/** Plans every handler file of a schema.
 *
 * @param schema the parsed schema
 * @returns one plan per file, in schema order
 */
export function planHandlers(schema: Schema): HandlerPlan[] {
  const plans = new Map<string, HandlerPlan>();
  const add = (plan: HandlerPlan) => {
    const key = `${plan.dir}/${plan.stem}`;
    const existing = plans.get(key);
    if (!existing) plans.set(key, plan);
    else if (existing.kind === "event" && plan.kind === "event") {
      existing.events.push(...plan.events);
    }
  };
  for (const api of schema.apis) {
    add({ kind: "api", dir: "handlers/api", stem: snake(api.name), api });
  }
  for (const event of schema.events) {
    for (const entry of event.handlers) {
      add({ kind: "event", dir: "handlers/events", stem: entry, entry, events: [event] });
    }
  }
  for (const cron of schema.crons) {
    add({ kind: "cron", dir: "handlers/cron", stem: snake(cron.name), cron });
  }
  for (const ws of schema.websockets) {
    const roles: [WsRole, string[]][] = [
      ["ws_connect", ws.on_connect],
      ["ws_message", ws.on_message],
      ["ws_disconnect", ws.on_disconnect],
    ];
    for (const [kind, entries] of roles) {
      for (const entry of entries) {
        add({ kind, dir: "handlers/websockets", stem: entry, entry, ws });
      }
    }
  }
  for (const name of middlewareNames(schema)) {
    add({ kind: "middleware", dir: "middlewares", stem: snake(name), name });
  }
  return [...plans.values()];
}

/** Whether a handler of an event is batched (`batch:` in its `on` block): it receives an array.
 *
 * @param event the event
 * @param entry the handler entry
 * @returns true when the handler receives up to `batch` events at once
 */
export function isBatched(event: Event, entry: string): boolean {
  return event.flow?.some((f) => f.handler === entry && f.batch !== undefined) ?? false;
}

/** Whether any handler of an event is batched. */
export function hasBatchedHandler(event: Event): boolean {
  return event.flow?.some((f) => f.batch !== undefined) ?? false;
}

function middlewareNames(schema: Schema): string[] {
  const names = [...schema.apis, ...schema.websockets].flatMap((d) => d.middlewares);
  return [...new Set(names)];
}
