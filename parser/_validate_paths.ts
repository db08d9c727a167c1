/**
 * Path checks for apis and WebSockets: syntax, reserved prefixes and conflicting routes.
 *
 * Path rules: a path starts with `/`; a segment is literal text or a whole-segment parameter
 * `{name}` or `:name` whose name is an identifier; parameter names are unique within a path; no
 * empty segments (`//`), except that one trailing slash is allowed and ignored (`/users/` is the
 * route `/users`, so the two conflict); no `?`, `#`, whitespace, or braces inside literal text.
 * Two routes conflict when they have the same method and the same shape (parameters compared by
 * position, not by name: `/users/{id}` and `/users/:uid` conflict). A WebSocket upgrade is a GET,
 * so a WebSocket path conflicts with a GET api (or another WebSocket) of the same shape.
 *
 * @module
 */

import type { Schema } from "./ast.ts";
import { VALIDATION_CODES } from "./_validate_codes.ts";
import type { ValidationContext } from "./_validate_context.ts";
import { isIdentifier } from "./_validate_names.ts";

/** Path prefixes the engine serves itself (workbench UI and its JSON API, health endpoints). */
export const RESERVED_PREFIXES: readonly string[] = ["/_rohas", "/api/workbench"];

/** A path split into its route shape, or the first problem found in it. */
export type ParsedPath =
  | { ok: true; shape: string; params: string[] }
  | { ok: false; problem: string };

/** Parses a route path by the rules of this module.
 *
 * @param path the path as written
 * @returns its shape (parameters as `{}`) and parameter names, or the problem
 */
export function parseRoutePath(path: string): ParsedPath {
  if (!path.startsWith("/")) return { ok: false, problem: "must start with '/'" };
  if (/[\s?#]/.test(path)) {
    return { ok: false, problem: "must not contain whitespace, '?' or '#'" };
  }
  const segments = path.slice(1).split("/");
  if (segments.length > 1 && segments.at(-1) === "") segments.pop();
  if (segments.length === 1 && segments[0] === "") segments.pop();
  const shape: string[] = [];
  const params: string[] = [];
  for (const segment of segments) {
    const parsed = parseSegment(segment);
    if (parsed !== null && typeof parsed === "object") return parsed;
    if (parsed === null) {
      shape.push(segment);
      continue;
    }
    if (params.includes(parsed)) {
      return { ok: false, problem: `has the parameter '${parsed}' twice` };
    }
    params.push(parsed);
    shape.push("{}");
  }
  return { ok: true, shape: "/" + shape.join("/"), params };
}

/** A segment's parameter name, null for literal text, or the problem. */
function parseSegment(segment: string): string | null | { ok: false; problem: string } {
  if (segment === "") return { ok: false, problem: "has an empty segment ('//')" };
  let name: string | null = null;
  if (segment.startsWith(":")) name = segment.slice(1);
  else if (segment.startsWith("{") && segment.endsWith("}")) name = segment.slice(1, -1);
  else if (/[{}]/.test(segment)) {
    return {
      ok: false,
      problem: `has unbalanced braces in '${segment}': a parameter is a whole segment, '{name}'`,
    };
  }
  if (name !== null && !isIdentifier(name)) {
    return {
      ok: false,
      problem: `has an invalid parameter '${segment}': the name must be an identifier`,
    };
  }
  return name;
}

function isReserved(path: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix + "/"));
}

interface Route {
  node: { name: string; path: string };
  /** How the route is shown in messages: `GET /users/{id}` or `WebSocket /ws`. */
  display: string;
  /** The owner in messages: `API 'GetUser'`. */
  owner: string;
  /** The conflict key: method and shape. */
  key: string | null;
}

/** Reports invalid paths, reserved paths and conflicting routes.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkPaths(schema: Schema, context: ValidationContext): void {
  const routes: Route[] = [
    ...schema.apis.map((api) => route(api, api.method, `API '${api.name}'`, context)),
    ...schema.websockets.map((ws) => route(ws, "WebSocket", `WebSocket '${ws.name}'`, context)),
  ];
  const taken = new Map<string, Route>();
  for (const current of routes) {
    if (current.key === null) continue;
    const earlier = taken.get(current.key);
    if (earlier === undefined) {
      taken.set(current.key, current);
      continue;
    }
    context.error(
      context.propertySpan(current.node, "path"),
      VALIDATION_CODES.routeConflict,
      `Conflicting route: ${current.display} of ${current.owner} has the same shape as ${earlier.display} of ${earlier.owner}`,
    );
  }
}

function route(
  node: { name: string; path: string },
  method: string,
  owner: string,
  context: ValidationContext,
): Route {
  const display = `${method} ${node.path}`;
  const parsed = parseRoutePath(node.path);
  const span = context.propertySpan(node, "path");
  if (!parsed.ok) {
    context.error(
      span,
      VALIDATION_CODES.invalidPath,
      `Invalid path '${node.path}' of ${owner}: it ${parsed.problem}`,
    );
    return { node, display, owner, key: null };
  }
  if (isReserved(parsed.shape)) {
    context.error(
      span,
      VALIDATION_CODES.reservedPath,
      `Reserved path '${node.path}' of ${owner}: paths under ${
        RESERVED_PREFIXES.map((p) => `'${p}/'`).join(" and ")
      } belong to the engine`,
    );
    return { node, display, owner, key: null };
  }
  const upgradeMethod = method === "WebSocket" ? "GET" : method;
  return { node, display, owner, key: `${upgradeMethod} ${parsed.shape}` };
}
