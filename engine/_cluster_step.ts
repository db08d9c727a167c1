/**
 * The assembly's instance coordination (engine/assemble.ts): the instance id, cron runs claimed
 * once per tick in the shared state, and presence with the warning for adapters that cannot
 * coordinate instances. See ARCHITECTURE.md ("Several instances").
 *
 * @module
 */

import type { Kv } from "../state/mod.ts";
import type { LogEntry, Telemetry } from "../telemetry/mod.ts";
import type { CleanupStack } from "./_cleanup.ts";
import type { AssembleOptions } from "./assembly_options.ts";
import { announcePresence, coordinationWarning } from "./cluster/mod.ts";
import { emitter } from "./_assembly_steps.ts";

/**
 * The shared state a serving instance coordinates through (the store the assembly opened for
 * `state.kv`), or null for an app that does not serve (an edge, `createApp`, `rohas cron run`):
 * its cron runs need no claim.
 *
 * @param options the assembly's options
 * @param kv the app's shared state
 * @returns the state, or null
 */
export function instanceState(options: AssembleOptions, kv: Kv): Kv | null {
  if (options.serveOnly || (options.listen ?? "none") === "none") return null;
  return kv;
}

/**
 * Announces this instance in the shared state when it serves (not an edge, not a one-off run),
 * and says (emitted and logged) when another instance appears that its adapter cannot share
 * events with.
 *
 * @param options the assembly's options (where it listens, `onEvent`)
 * @param ctx the shared state, this instance, its adapter, telemetry and the cleanup stack
 */
export async function announceInstance(options: AssembleOptions, ctx: {
  kv: Kv;
  instanceId: string;
  adapter: string;
  telemetry: Telemetry;
  cleanup: CleanupStack;
}): Promise<void> {
  if (options.serveOnly || (options.listen ?? "none") === "none") return;
  const emit = emitter(options);
  const { telemetry } = ctx;
  const presence = await announcePresence(ctx.kv, {
    instanceId: ctx.instanceId,
    adapter: ctx.adapter,
    onInstance: (other, sameId) => {
      const message = coordinationWarning(ctx.adapter, other, sameId);
      if (message === null) return;
      emit({ kind: "instance_warning", message });
      telemetry.log(warningLog(message, other.id));
    },
    onError: (error) => telemetry.log(heartbeatLog(error)),
  });
  ctx.cleanup.push("presence", () => presence.close());
}

function warningLog(message: string, other: string): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "warn",
    target: "engine:cluster",
    message,
    fields: { other_instance: other },
    span_fields: {},
  };
}

function heartbeatLog(error: unknown): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: "engine:cluster",
    message: `Cannot renew this instance's presence in the shared state: ${
      error instanceof Error ? error.message : String(error)
    }`,
    fields: {},
    span_fields: {},
  };
}
