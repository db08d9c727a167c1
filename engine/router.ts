/**
 * A small router interface and a segment-trie implementation. `{id}`/`:id` capture one
 * percent-decoded segment, which must not hold a `/` (`%2F`) nor be `.` or `..` (a `bad_path`,
 * 400); literals beat parameters; HEAD follows GET; a known path with another method reports the
 * allowed methods (405 with `Allow`).
 *
 * @module
 */

import type { PathSegment } from "./app_model.ts";
import { RouteConflictError } from "./errors.ts";

/** The result of matching a request against the routes. */
export type RouteMatch<T> =
  | { kind: "found"; value: T; params: Record<string, string> }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" }
  | { kind: "bad_path"; reason: string };

/** Routes requests to values. */
export interface Router<T> {
  /** Registers a value for a method and path pattern; throws on a conflict. */
  add(method: string, segments: PathSegment[], value: T, label: string): void;
  /** Matches a method and a raw (percent-encoded) URL path. */
  match(method: string, pathname: string): RouteMatch<T>;
}

interface Leaf<T> {
  value: T;
  paramNames: string[];
  label: string;
}

class Node<T> {
  literals = new Map<string, Node<T>>();
  param: Node<T> | null = null;
  methods = new Map<string, Leaf<T>>();
}

function decodeSegments(pathname: string): string[] | null {
  const raw = pathname.split("/");
  const out = new Array<string>(raw.length - 1);
  try {
    for (let i = 1; i < raw.length; i++) {
      const segment = raw[i]!;
      out[i - 1] = segment.includes("%") ? decodeURIComponent(segment) : segment;
    }
  } catch {
    return null;
  }
  return out;
}

/**
 * A router over a trie of path segments.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { TrieRouter } from "./router.ts";
 * import { parsePattern } from "./app_model.ts";
 * const router = new TrieRouter<string>();
 * router.add("GET", parsePattern("/users/{id}"), "GetUser", "/users/{id}");
 * const match = router.match("GET", "/users/caf%C3%A9");
 * assert(match.kind === "found" && match.params.id === "café");
 * assertEquals(router.match("POST", "/users/1").kind, "method_not_allowed");
 * ```
 */
export class TrieRouter<T> implements Router<T> {
  #root = new Node<T>();
  /**
   * The routes without params by their exact path, for a match with no splitting or decoding:
   * what the trie would find first for that path, since literals beat params.
   */
  #static = new Map<string, Map<string, Leaf<T>>>();

  /** Registers a route.
   *
   * @param method upper-case HTTP method
   * @param segments the parsed pattern
   * @param value what a match returns
   * @param label `METHOD /path` of the owner, used in conflict errors
   */
  add(method: string, segments: PathSegment[], value: T, label: string): void {
    let node = this.#root;
    const paramNames: string[] = [];
    for (const seg of segments) {
      if (seg.kind === "literal") {
        let next = node.literals.get(seg.value);
        if (!next) node.literals.set(seg.value, next = new Node<T>());
        node = next;
      } else {
        node.param ??= new Node<T>();
        node = node.param;
        paramNames.push(seg.name);
      }
    }
    const existing = node.methods.get(method);
    if (existing) throw new RouteConflictError(`${method} ${label}`, existing.label);
    node.methods.set(method, { value, paramNames, label });
    // A literal with `%` matches its decoded form: such a route is left to the trie.
    if (
      paramNames.length === 0 &&
      !segments.some((seg) => seg.kind === "literal" && seg.value.includes("%"))
    ) {
      const path = segments.map((seg) => `/${seg.kind === "literal" ? seg.value : ""}`).join("");
      this.#static.set(path || "/", node.methods);
    }
  }

  /** Matches a request.
   *
   * @param method the request method
   * @param pathname the raw URL path, starting with `/`
   * @returns the match
   */
  match(method: string, pathname: string): RouteMatch<T> {
    const methods = this.#static.get(pathname);
    if (methods !== undefined) {
      const leaf = methods.get(method) ?? (method === "HEAD" ? methods.get("GET") : undefined);
      if (leaf !== undefined) return { kind: "found", value: leaf.value, params: {} };
    }
    const segments = decodeSegments(pathname);
    if (segments === null) return { kind: "bad_path", reason: "Malformed percent-encoding" };
    const captured: string[] = [];
    const node = find(this.#root, segments, 0, captured);
    if (!node) return { kind: "not_found" };
    const leaf = node.methods.get(method) ??
      (method === "HEAD" ? node.methods.get("GET") : undefined);
    if (!leaf) return { kind: "method_not_allowed", allow: allowed(node) };
    const params: Record<string, string> = {};
    for (let i = 0; i < leaf.paramNames.length; i++) {
      const value = captured[i]!;
      if (value.includes("/") || value === "." || value === "..") {
        return { kind: "bad_path", reason: badParam(leaf.paramNames[i]!, value) };
      }
      params[leaf.paramNames[i]!] = value;
    }
    return { kind: "found", value: leaf.value, params };
  }
}

/**
 * Why a path parameter is refused: a `{name}` is one path segment, so a `/` decoded from `%2F`, or
 * a whole `.` or `..` segment (Deno does not normalize request paths), would hand a handler that
 * joins it into a file path a way out of its folder.
 */
function badParam(name: string, value: string): string {
  return value.includes("/")
    ? `Path parameter "${name}" contains an encoded "/" (%2F)`
    : `Path parameter "${name}" cannot be "${value}"`;
}

function find<T>(node: Node<T>, segs: string[], i: number, captured: string[]): Node<T> | null {
  if (i === segs.length) return node.methods.size > 0 ? node : null;
  const seg = segs[i]!;
  const literal = node.literals.get(seg);
  if (literal) {
    const hit = find(literal, segs, i + 1, captured);
    if (hit) return hit;
  }
  if (node.param && seg !== "") {
    captured.push(seg);
    const hit = find(node.param, segs, i + 1, captured);
    if (hit) return hit;
    captured.pop();
  }
  return null;
}

function allowed<T>(node: Node<T>): string[] {
  const methods = new Set(node.methods.keys());
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}
