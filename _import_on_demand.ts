/**
 * Importing a module only when the code that needs it runs (docs/design.md, D14).
 *
 * @module
 */

/**
 * Imports a module through a specifier Deno cannot see ahead of time. Before a program starts,
 * Deno downloads the npm packages of every module its graph reaches, dynamic imports with a literal
 * specifier included; a module imported here, and the npm packages it needs, are fetched only when
 * this call runs. So a broker client or a database driver is downloaded by the projects that
 * configure it, not by every `rohas` command. Name the module in the type argument as well
 * (`typeof import("./x.ts")`): `deno check` then still checks it.
 *
 * Two costs, both where a broker, store or command is chosen at run time only: a process with
 * restricted permissions needs read access to the module (the main process runs with `-A`; edges
 * and Workers do not call this), and `deno compile` embeds the module only when given
 * `--include` (or when the app passes `createApp` its adapter or store object instead).
 *
 * @param specifier the module, relative to `base`
 * @param base the importing module's `import.meta.url`
 * @returns the module's namespace
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { importOnDemand } from "./_import_on_demand.ts";
 * const errors = await importOnDemand<typeof import("./errors.ts")>("./errors.ts", import.meta.url);
 * assert(new errors.RohasError("x") instanceof Error);
 * ```
 */
export function importOnDemand<T>(specifier: string, base: string): Promise<T> {
  return import(new URL(specifier, base).href) as Promise<T>;
}
