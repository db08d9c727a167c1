/**
 * Naming helpers with the original's exact algorithms (docs/compatibility.md#naming) and path
 * parameter extraction.
 *
 * @module
 */

/** `CreateUser` to `create_user` (docs/compatibility.md#naming): the parser's algorithm, so that
 * the file names validation checks for collisions are the ones codegen writes. */
export { snakeCase as snake } from "../parser/mod.ts";

/** `send_welcome_email` to `SendWelcomeEmail`: split on `_`, capitalise each part, join. */
export function pascal(name: string): string {
  return name.split("_").filter((part) => part !== "").map((part) =>
    part[0]!.toUpperCase() + part.slice(1)
  ).join("");
}

/** `send_welcome_email` to `sendWelcomeEmail`: {@linkcode pascal} with a lower-case first letter. */
export function camel(name: string): string {
  const p = pascal(name);
  return p === "" ? p : p[0]!.toLowerCase() + p.slice(1);
}

/**
 * The path parameter names of a route, in order and without repeats: `{id}` anywhere in a segment
 * and `:id` as a whole segment.
 */
export function pathParams(path: string): string[] {
  const names: string[] = [];
  for (const segment of path.split("/")) {
    if (segment.startsWith(":") && segment.length > 1) names.push(segment.slice(1));
    for (const match of segment.matchAll(/\{([^{}/]+)\}/g)) names.push(match[1]!);
  }
  return [...new Set(names)];
}

/** Whether `name` can be written as a bare JavaScript identifier or property name. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** A property key for TypeScript source: bare when possible, else a JSON string. */
export function tsKey(name: string): string {
  return isIdentifier(name) ? name : JSON.stringify(name);
}

/** Text safe inside a `/* ... *\/` comment. */
export function tsDoc(text: string): string {
  return text.replaceAll("*/", "*\\/");
}

/** Text safe inside a Python `"""..."""` docstring. */
export function pyDoc(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"""', '\\"\\"\\"');
}
