/**
 * What an instance says when another instance of its app appears and its adapter cannot share
 * events with it.
 *
 * @module
 */

import type { InstanceInfo } from "./presence.ts";

/** Adapters whose events stay in one process (memory) or one directory (rocksdb). */
export const INSTANCE_LOCAL_ADAPTERS = ["memory", "rocksdb"] as const;

/**
 * The warning for another instance, or null when the adapter coordinates instances.
 *
 * @param adapter this instance's adapter type
 * @param other the instance that appeared
 * @param sameId it announces this instance's own id
 * @returns the message, or null
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { coordinationWarning } from "./warning.ts";
 * const other = { id: "b", pid: 7, adapter: "memory", started_at: "", token: "t" };
 * assertEquals(coordinationWarning("nats", other, false), null);
 * assert(coordinationWarning("memory", other, false) !== null);
 * ```
 */
export function coordinationWarning(
  adapter: string,
  other: InstanceInfo,
  sameId: boolean,
): string | null {
  if (sameId) {
    return `Another process (pid ${other.pid}) runs as instance "${other.id}" too: give each ` +
      "instance its own ROHAS_INSTANCE_ID (a restart right after a crash sees its previous self " +
      "until that entry expires)";
  }
  if (!(INSTANCE_LOCAL_ADAPTERS as readonly string[]).includes(adapter)) return null;
  const where = adapter === "memory" ? "in each process" : "in each instance's own directory";
  return `Another instance of this app is running (instance "${other.id}", pid ${other.pid}, ` +
    `adapter ${other.adapter}): the ${adapter} adapter keeps events ${where}, so an event is ` +
    "handled only by the instance that published it and broadcasts stay on it (cron jobs still " +
    "run once per tick through the shared state); use nats, rabbitmq, kafka, sqs or denokv to run " +
    "several instances";
}
