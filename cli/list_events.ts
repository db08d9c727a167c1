/**
 * `rohas list-events [path]`: every event with its payload, handlers, triggers and the flow
 * controls of its handlers (`on <handler> { … }`), as the schema writes them.
 *
 * @module
 */

import type { FlowControls, Schema } from "../parser/mod.ts";
import type { CommandRun } from "./command.ts";
import type { LIST_EVENTS } from "./commands.ts";
import { quotedList, runList } from "./_list_common.ts";

/** Runs `rohas list-events`. */
export const run: CommandRun<typeof LIST_EVENTS> = ({ project }, io) =>
  runList(project, io, formatEvents);

/** The original's layout: `Triggers:` only when the event has some; an `On <handler>:` line per
 * `on` block.
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
    for (const flow of event.flow ?? []) {
      lines.push(`    On ${flow.handler}: ${controlsText(flow).join("; ")}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Each declared control, in schema syntax (`concurrency: 2 by customer.id`). */
function controlsText(flow: FlowControls): string[] {
  const by = (key: string | undefined) => key === undefined ? "" : ` by ${key}`;
  const out: string[] = [];
  if (flow.concurrency) {
    out.push(`concurrency: ${flow.concurrency.limit}${by(flow.concurrency.key)}`);
  }
  for (const name of ["rate", "throttle"] as const) {
    const c = flow[name];
    if (c) out.push(`${name}: ${c.limit} per ${duration(c.period_ms)}${by(c.key)}`);
  }
  const d = flow.debounce;
  if (d) {
    const max = d.max_wait_ms === undefined ? "" : ` max ${duration(d.max_wait_ms)}`;
    out.push(`debounce: ${duration(d.period_ms)}${by(d.key)} ${d.edge}${max}`);
  }
  if (flow.batch) out.push(`batch: ${flow.batch.size} within ${duration(flow.batch.wait_ms)}`);
  if (flow.priority !== undefined) out.push(`priority: ${flow.priority}`);
  if (flow.delay_ms !== undefined) out.push(`delay: ${duration(flow.delay_ms)}`);
  return out;
}

/** A duration in the largest unit that divides it (`90s`, `2m`, `500ms`). */
function duration(ms: number): string {
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
