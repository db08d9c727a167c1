/**
 * A route split into literal text and path parameters, as the engine's router reads it: `:name`
 * as a whole segment, `{name}` anywhere in a segment.
 *
 * @module
 */

import type { Api } from "../parser/mod.ts";

/** Whether the engine builds this API's body from the query string (GET and DELETE). */
export function queryBody(api: Api): boolean {
  return api.body !== null && (api.method === "GET" || api.method === "DELETE");
}

/** A piece of a route. */
export type RoutePart = { kind: "text"; text: string } | { kind: "param"; name: string };

/** Splits a route into text and parameters, adjacent text merged.
 *
 * @param path the route as written
 * @returns the parts in order
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const parts = routeParts("/users/:id/x");
 * assertEquals(parts.length, 3);
 * ```
 */
export function routeParts(path: string): RoutePart[] {
  const parts: RoutePart[] = [];
  const text = (t: string) => {
    const last = parts[parts.length - 1];
    if (last?.kind === "text") last.text += t;
    else if (t !== "") parts.push({ kind: "text", text: t });
  };
  path.split("/").forEach((segment, i) => {
    if (i > 0) text("/");
    if (segment.startsWith(":") && segment.length > 1) {
      parts.push({ kind: "param", name: segment.slice(1) });
      return;
    }
    let at = 0;
    for (const match of segment.matchAll(/\{([^{}/]+)\}/g)) {
      text(segment.slice(at, match.index));
      parts.push({ kind: "param", name: match[1]! });
      at = match.index + match[0].length;
    }
    text(segment.slice(at));
  });
  return parts;
}
