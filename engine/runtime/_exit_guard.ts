/**
 * A process that runs handlers in its own isolate (an edge under `rohas start`) must not end when
 * handler code calls `Deno.exit()`: every request it serves would be dropped with the connection.
 * The guard swaps `Deno.exit` for a function that throws {@linkcode HandlerExitError} into the
 * calling handler (whose call then fails like any other throw) and hands the real exit to the
 * process itself. Workers need no guard: a Worker that exits is detected and replaced.
 *
 * @module
 */

import { HandlerExitError } from "./errors.ts";

/**
 * Installs the guard, once, before any handler module is imported.
 *
 * @returns the real `Deno.exit`, for the process's own shutdown
 * @example A fragment of a runtime's start-up (it replaces `Deno.exit` for the whole process, so it is not run as a documentation test)
 * ```ts ignore
 * const exit = guardProcessExit();
 * // ... serve handlers; a handler's Deno.exit(3) now throws HandlerExitError ...
 * exit(0);
 * ```
 */
export function guardProcessExit(): (code?: number) => never {
  const exit = Deno.exit.bind(Deno);
  const refuse = (code?: number): never => {
    throw new HandlerExitError(
      `called Deno.exit(${code ?? ""}), which would end the server process`,
    );
  };
  // Not writable: handler code cannot put the real exit back.
  Object.defineProperty(Deno, "exit", { value: refuse, writable: false, configurable: false });
  return exit;
}
