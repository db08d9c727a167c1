/**
 * What the Python runtime says when it replaces its host: the reason, the handlers involved, and
 * when the new host starts.
 *
 * @module
 */

import type { PythonRestart } from "./python_runtime.ts";

/** A replacement as found, before its delay is known. */
export type Replacement = Omit<PythonRestart, "delayMs">;

/** The replacement of a host that died, naming the handlers it was running. */
export function crashedRestart(how: string, handlers: string[]): Replacement {
  const running = handlers.length === 0
    ? "while no handler was running"
    : `while running ${handlers.map((name) => `"${name}"`).join(", ")}`;
  return {
    reason: "crashed",
    handlers,
    message: `The Python runtime crashed (${how}) ${running}; it is restarted`,
  };
}

/**
 * The replacement of a host whose loop a handler blocked: `at.named` is the handler the host
 * named, null when it did not answer (then `handler`, the call that timed out, is named instead).
 */
export function blockedRestart(
  handler: string,
  at: { graceMs: number; named: string | null },
): Replacement {
  const { graceMs, named } = at;
  const who = named === null ? `A handler (last timed out: "${handler}")` : `Handler "${handler}"`;
  return {
    reason: "blocked",
    handlers: [handler],
    message: `${who} blocked the Python event loop past its timeout (+${graceMs} ms); the ` +
      "Python runtime is replaced. An async handler must not block: await asyncio.sleep(), " +
      "or run blocking code with asyncio.to_thread()",
  };
}

/**
 * The replacement of a host whose worker threads for sync handlers are all held by calls that
 * outlived their timeout (`stuck`: their handlers, one entry a call).
 */
export function stuckRestart(stuck: string[]): Replacement {
  const handlers = [...new Set(stuck)];
  const named = handlers.map((name) => `"${name}"`).join(", ");
  return {
    reason: "stuck",
    handlers,
    message: `Sync handlers that never returned after their timeout (${named}) hold all ` +
      `${stuck.length} Python worker threads; the Python runtime is replaced. A sync handler must ` +
      "return: give blocking calls a timeout",
  };
}

/** The replacement as told: its delay, and when the new host starts if it waits. */
export function withDelay(
  restart: Replacement,
  at: { delayMs: number; crashes: number },
): PythonRestart {
  const { delayMs, crashes } = at;
  const when = delayMs === 0
    ? ""
    : `; the new host starts in ${delayMs} ms, after ${crashes} crashes in a row`;
  return { ...restart, delayMs, message: restart.message + when };
}
