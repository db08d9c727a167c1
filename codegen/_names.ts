/**
 * Naming helpers with the original's exact algorithms (docs/compatibility.md#naming) and path
 * parameter extraction.
 *
 * @module
 */

/** The original's naming algorithms (docs/compatibility.md#naming), owned by the parser so that
 * codegen, validation and the engine's handler lookup agree on every name. */
export { camelCase as camel, pascalCase as pascal, snakeCase as snake } from "../parser/names.ts";

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
