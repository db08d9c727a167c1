/**
 * The original's naming helpers (docs/compatibility.md#naming), used to resolve handler files and
 * exports.
 *
 * @module
 */

/**
 * `CreateUser` -> `create_user`: the parser's algorithm, so the engine looks for exactly the file
 * names codegen writes and validation checks for collisions.
 *
 * @example
 * ```ts
 * import { snake } from "./_names.ts";
 * import assert from "node:assert/strict";
 * assert(snake("CreateUser") === "create_user");
 * ```
 */
export { snakeCase as snake } from "../parser/mod.ts";

/**
 * `send_welcome_email` -> `SendWelcomeEmail`: split on `_`, capitalise each part.
 *
 * @param name a snake_case handler name
 * @returns the PascalCase name
 * @example
 * ```ts
 * import { pascal } from "./_names.ts";
 * import assert from "node:assert/strict";
 * assert(pascal("send_welcome_email") === "SendWelcomeEmail");
 * ```
 */
export function pascal(name: string): string {
  return name.split("_").filter((p) => p !== "").map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/**
 * `send_welcome_email` -> `sendWelcomeEmail`: {@linkcode pascal} with a lower-case first letter.
 *
 * @param name a snake_case handler name
 * @returns the camelCase name
 * @example
 * ```ts
 * import { camel } from "./_names.ts";
 * import assert from "node:assert/strict";
 * assert(camel("send_welcome_email") === "sendWelcomeEmail");
 * ```
 */
export function camel(name: string): string {
  const p = pascal(name);
  return p === "" ? p : p[0]!.toLowerCase() + p.slice(1);
}
