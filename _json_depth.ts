/**
 * How deep client JSON may nest: request bodies, WebSocket messages and workbench event payloads
 * deeper than {@linkcode MAX_JSON_DEPTH} are refused before anything walks them recursively.
 *
 * @module
 */

/**
 * The deepest nesting of arrays and objects a JSON request body or WebSocket message may have: a
 * deeper one is a client error (400), checked before anything walks it recursively (validators,
 * structured clone to a handler Worker, Python's `json`). 128 as serde_json's default.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Whether a parsed JSON value nests arrays and objects deeper than `limit` (a scalar has depth 0,
 * `[]` depth 1). Iterative, so no depth can overflow the stack; a body shorter than `2 * limit + 2`
 * bytes cannot be deeper (each level costs an opening and a closing bracket), so it is not walked.
 *
 * @param value the parsed value
 * @param options the limit, and the JSON text's size in bytes when known
 * @returns true when the value is too deep
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { exceedsJsonDepth } from "./_json_depth.ts";
 * assert(exceedsJsonDepth([[1]], { limit: 1 }));
 * ```
 */
export function exceedsJsonDepth(
  value: unknown,
  options: { limit: number; bytes?: number | undefined },
): boolean {
  const { limit, bytes } = options;
  if (value === null || typeof value !== "object") return false;
  if (bytes !== undefined && bytes < 2 * limit + 2) return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child !== null && typeof child === "object") {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
