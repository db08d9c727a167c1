/**
 * `rohas delayed [event] [--json]`: the delayed events waiting in the project's shared state
 * (`state.triggerEvent` with `delay` or `at`, deliveries held for a handler's `delay`), soonest
 * first, with the handler they wait for (`all`: every handler of the event), the due time and the
 * key. Read from the `[state]` store the running instances share; the `memory` store lives inside
 * one engine, so there the workbench shows them instead.
 *
 * @module
 */

import type { CliIo, CommandRun } from "./command.ts";
import type { DELAYED } from "./commands.ts";
import { findProject, loadConfig } from "../project/mod.ts";
import { openState } from "../state/mod.ts";
import { type DelayedEvent, listDelayedEvents } from "../engine/delayed/mod.ts";
import { RohasError } from "../errors.ts";

/** A failure the command reports as `Error: <message>` and exit code 1. */
class DelayedCommandError extends RohasError {
  override name = "DelayedCommandError";
}

/** Runs `rohas delayed`. */
export const run: CommandRun<typeof DELAYED> = async ({ args, values, project }, io) => {
  const delayed = await read(project ?? ".", args.event, io);
  io.stdout(values.json ? `${JSON.stringify(delayed, null, 2)}\n` : formatDelayed(delayed));
  return 0;
};

async function read(project: string, event: string | undefined, io: CliIo) {
  const location = await findProject(project, { cwd: io.cwd });
  const { config } = await loadConfig(location.root);
  if (config.state.type === "memory") {
    throw new DelayedCommandError(
      'Cannot list delayed events: [state] type "memory" lives inside the running engine; ' +
        "its workbench shows them (Flow page)",
    );
  }
  const kv = await openState(config.state, {
    root: location.root,
    namespace: config.project.name,
  });
  try {
    return await listDelayedEvents(kv, event === undefined ? {} : { event });
  } finally {
    await kv.close();
  }
}

/**
 * The table `rohas delayed` prints: one line per delayed event, soonest first.
 *
 * @param delayed the delayed events
 * @returns the text
 * @example
 * ```ts
 * import { formatDelayed } from "./delayed.ts";
 * const text = formatDelayed([{
 *   id: "k:OrderReminder:o-1", event: "OrderReminder", handler: "all",
 *   dueAt: "2030-01-01T09:00:00.000Z", key: "o-1", state: "waiting", attempt: 0,
 * }]);
 * if (!text.includes("OrderReminder")) throw new Error("Example failed");
 * ```
 */
export function formatDelayed(delayed: readonly DelayedEvent[]): string {
  if (delayed.length === 0) return "No delayed events waiting\n";
  const rows = [
    ["DUE", "EVENT", "HANDLER", "KEY", "STATE"],
    ...delayed.map((d) => [d.dueAt, d.event, d.handler, d.key ?? "-", d.state]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()
  );
  const noun = delayed.length === 1 ? "delayed event" : "delayed events";
  return `${lines.join("\n")}\n\n${delayed.length} ${noun} waiting\n`;
}
