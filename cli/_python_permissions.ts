/**
 * The start-up warning for `[permissions.handlers.<name>]` entries that name Python handlers: Deno
 * permissions confine TypeScript handlers (each profile's Worker gets only its grant), but Python code
 * runs in the Python host process, which Deno cannot confine.
 *
 * @module
 */

import { type AppModel, handlerRefsOf } from "../engine/mod.ts";

/**
 * The warning to print when `[permissions]` names Python handlers, or null.
 *
 * @param model the application model (a handler's profile is its name when `[permissions]` names it)
 * @returns one line, without its line end
 * @example A fragment of `rohas dev` (not run as a documentation test)
 * ```ts ignore
 * const warning = pythonPermissionsWarning(served.model);
 * if (warning !== null) io.stderr(`${warning}\n`);
 * ```
 */
export function pythonPermissionsWarning(model: AppModel): string | null {
  const named = [
    ...new Set(
      handlerRefsOf(model)
        .filter((ref) => ref.language === "python" && ref.profile !== "default")
        .map((ref) => ref.name),
    ),
  ];
  if (named.length === 0) return null;
  const list = named.map((name) => `"${name}"`).join(", ");
  return `Warning: [permissions.handlers] names Python handler${named.length === 1 ? "" : "s"} ` +
    `${list}: Deno permissions do not confine Python code, which runs in the Python host ` +
    `process with the server's own rights (README.md, "Python handlers")`;
}
