/**
 * The original's naming algorithms (docs/compatibility.md#naming): codegen names generated files,
 * types and handlers with them, and the engine looks handlers up with them. A file of their own,
 * with no other import, so that an edge process resolving handlers loads them without the parser
 * (and the cron library its validation uses).
 *
 * @module
 */

/** The original's snake_case (docs/compatibility.md#naming): `CreateUser` to `create_user`,
 * `HTTPServer` to `h_t_t_p_server`.
 *
 * @param name the name
 * @returns the snake_case name used for generated file names
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { snakeCase } from "./mod.ts";
 * assertEquals(snakeCase("CreateUser"), "create_user");
 * ```
 */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (upper, index) => (index === 0 ? "" : "_") + upper.toLowerCase());
}

/**
 * The original's PascalCase (docs/compatibility.md#naming): split on `_`, capitalise each
 * non-empty part, join. Codegen names generated types and TypeScript handlers with it, and the
 * engine looks handlers up with it, so both use this one function.
 *
 * @param name a snake_case name
 * @returns the PascalCase name
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { pascalCase } from "./mod.ts";
 * assertEquals(pascalCase("send_welcome_email"), "SendWelcomeEmail");
 * assertEquals(pascalCase("get__user"), "GetUser");
 * ```
 */
export function pascalCase(name: string): string {
  return name.split("_").filter((part) => part !== "").map((part) =>
    part[0]!.toUpperCase() + part.slice(1)
  ).join("");
}

/**
 * {@linkcode pascalCase} with a lower-case first letter: `send_welcome_email` to
 * `sendWelcomeEmail`.
 *
 * @param name a snake_case name
 * @returns the camelCase name
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { camelCase } from "./mod.ts";
 * assertEquals(camelCase("send_welcome_email"), "sendWelcomeEmail");
 * ```
 */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal === "" ? pascal : pascal[0]!.toLowerCase() + pascal.slice(1);
}
