/**
 * Register: the parsed schema plus the config become plain data, the application model: routes,
 * event subscriptions, schedules and socket endpoints, each with its handlers resolved to
 * {@linkcode HandlerRef}s (DESIGN.md section 3, STYLE.md habit 6). Nothing here listens or runs.
 *
 * @module
 */

import type { FieldType, Schema } from "../parser/ast.ts";
import type { RohasConfig } from "../project/config.ts";
import type { HandlerKind, HandlerRef } from "./runtime/contract.ts";
import { HandlerResolutionError, type MissingHandler } from "./errors.ts";
import { type HandlerSpec, resolveHandler } from "./_resolve_handler.ts";

/** One segment of a route pattern: a literal or a captured parameter. */
export type PathSegment = { kind: "literal"; value: string } | { kind: "param"; name: string };

/** How a query parameter is coerced into a body field (GET/DELETE APIs with a body type). */
export interface QueryField {
  /** `Int`, `Float`, `Boolean`, or `String` (anything else is kept as text). */
  type: "Int" | "Float" | "Boolean" | "String";
  array: boolean;
}

/** An HTTP route of an `api`. */
export interface RouteSpec {
  api: string;
  method: string;
  /** The path as written in the schema. */
  pattern: string;
  segments: PathSegment[];
  params: string[];
  /** The declared body type, or null. */
  bodyType: string | null;
  /**
   * For GET and DELETE APIs with a body type: the body is built from the query string, each
   * declared field coerced by its type. Null otherwise (the body is read from the request).
   */
  queryFields: Record<string, QueryField> | null;
  responseType: string;
  triggers: string[];
  handler: HandlerRef;
  middlewares: HandlerRef[];
}

/** One event handler's subscription: its own consumer group. */
export interface SubscriptionSpec {
  handler: HandlerRef;
  /** `<project>.<handler entry>`. */
  group: string;
}

/** An event with its handlers and forwarded triggers. */
export interface EventSpec {
  event: string;
  payloadType: string;
  triggers: string[];
  subscriptions: SubscriptionSpec[];
}

/** A cron job. */
export interface ScheduleSpec {
  name: string;
  schedule: string;
  timezone?: string;
  triggers: string[];
  handler: HandlerRef;
}

/** A WebSocket endpoint. */
export interface SocketSpec {
  name: string;
  path: string;
  segments: PathSegment[];
  messageType: string | null;
  onConnect: HandlerRef[];
  onMessage: HandlerRef[];
  onDisconnect: HandlerRef[];
  triggers: string[];
  broadcast: boolean;
  middlewares: HandlerRef[];
}

/** The resolved application: plain data, built once per schema version. */
export interface AppModel {
  project: string;
  root: string;
  routes: RouteSpec[];
  events: EventSpec[];
  schedules: ScheduleSpec[];
  sockets: SocketSpec[];
}

/** Options of {@linkcode buildAppModel}. */
export interface BuildAppModelOptions {
  /** Absolute project root. */
  root: string;
  /** Whether a project-relative file exists. Default: a `Deno.statSync` check under `root`. */
  exists?: (relativePath: string) => boolean;
}

/** Splits a route path into segments; `{id}` and `:id` both capture one segment.
 *
 * @param path the path as written, such as `/users/{id}`
 * @returns the segments
 * @example
 * ```ts
 * import { parsePattern } from "./app_model.ts";
 * const segments = parsePattern("/users/{id}/posts/:post");
 * console.assert(segments.length === 4 && segments[3]?.kind === "param");
 * ```
 */
export function parsePattern(path: string): PathSegment[] {
  return path.split("/").filter((s, i) => !(i === 0 && s === "")).map((s): PathSegment => {
    if (s.startsWith("{") && s.endsWith("}") && s.length > 2) {
      return { kind: "param", name: s.slice(1, -1) };
    }
    if (s.startsWith(":") && s.length > 1) return { kind: "param", name: s.slice(1) };
    return { kind: "literal", value: s };
  });
}

function fileExistsUnder(root: string): (rel: string) => boolean {
  return (rel) => {
    try {
      return Deno.statSync(`${root}/${rel}`).isFile;
    } catch {
      return false;
    }
  };
}

class Resolver {
  readonly missing: MissingHandler[] = [];
  #root: string;
  #config: RohasConfig;
  #exists: (rel: string) => boolean;

  constructor(root: string, config: RohasConfig, exists: (rel: string) => boolean) {
    this.#root = root;
    this.#config = config;
    this.#exists = exists;
  }

  resolve(kind: HandlerKind, name: string, owner: string): HandlerRef {
    const spec: HandlerSpec = { kind, name, owner };
    const overrides = this.#config.permissions.handlers;
    const result = resolveHandler(spec, {
      root: this.#root,
      language: this.#config.project.language,
      exists: this.#exists,
      profileOf: (n) => Object.hasOwn(overrides, n) ? n : "default",
    });
    if ("ref" in result) return result.ref;
    this.missing.push({ kind, name, owner, tried: result.tried });
    return placeholder(spec);
  }
}

function placeholder(spec: HandlerSpec): HandlerRef {
  return { ...spec, language: "typescript", file: "", exports: [], profile: "default" };
}

const QUERY_BODY_METHODS = new Set(["GET", "DELETE"]);

function queryFieldOf(type: FieldType): QueryField {
  const array = typeof type === "object" && "Array" in type;
  const inner = array ? (type as { Array: FieldType }).Array : type;
  const name = typeof inner === "string" ? inner : "String";
  const scalar = name === "Int" || name === "Float" || name === "Boolean" ? name : "String";
  return { type: scalar, array };
}

function queryFields(schema: Schema, method: string, body: string | null) {
  if (body === null || !QUERY_BODY_METHODS.has(method)) return null;
  const def = [...schema.inputs, ...schema.models, ...schema.types].find((d) => d.name === body);
  if (!def) return null;
  return Object.fromEntries(def.fields.map((f) => [f.name, queryFieldOf(f.field_type)]));
}

function buildRoutes(schema: Schema, r: Resolver): RouteSpec[] {
  return schema.apis.map((api) => {
    const segments = parsePattern(api.path);
    return {
      api: api.name,
      method: api.method,
      pattern: api.path,
      segments,
      params: segments.flatMap((s) => s.kind === "param" ? [s.name] : []),
      bodyType: api.body,
      queryFields: queryFields(schema, api.method, api.body),
      responseType: api.response,
      triggers: [...api.triggers],
      handler: r.resolve("api", api.name, api.name),
      middlewares: api.middlewares.map((m) => r.resolve("middleware", m, api.name)),
    };
  });
}

function buildEvents(schema: Schema, project: string, r: Resolver): EventSpec[] {
  return schema.events.map((event) => ({
    event: event.name,
    payloadType: event.payload,
    triggers: [...event.triggers],
    subscriptions: event.handlers.map((h) => ({
      handler: r.resolve("event", h, event.name),
      group: `${project}.${h}`,
    })),
  }));
}

function buildSchedules(schema: Schema, r: Resolver): ScheduleSpec[] {
  return schema.crons.map((cron) => ({
    name: cron.name,
    schedule: cron.schedule,
    ...(cron.timezone === undefined ? {} : { timezone: cron.timezone }),
    triggers: [...cron.triggers],
    handler: r.resolve("cron", cron.name, cron.name),
  }));
}

function buildSockets(schema: Schema, r: Resolver): SocketSpec[] {
  return schema.websockets.map((ws) => ({
    name: ws.name,
    path: ws.path,
    segments: parsePattern(ws.path),
    messageType: ws.message,
    onConnect: ws.on_connect.map((h) => r.resolve("ws_connect", h, ws.name)),
    onMessage: ws.on_message.map((h) => r.resolve("ws_message", h, ws.name)),
    onDisconnect: ws.on_disconnect.map((h) => r.resolve("ws_disconnect", h, ws.name)),
    triggers: [...ws.triggers],
    broadcast: ws.broadcast,
    middlewares: ws.middlewares.map((m) => r.resolve("middleware", m, ws.name)),
  }));
}

/**
 * Builds the application model from a validated schema and the resolved config.
 *
 * @param schema the parsed, validated schema
 * @param config the resolved config
 * @param options the project root and a file check
 * @returns the model, plain data
 * @throws {HandlerResolutionError} listing every handler without a file and the files tried
 * @example
 * ```ts ignore
 * const model = buildAppModel(schema, config, { root: "/srv/app" });
 * console.log(model.routes.map((r) => `${r.method} ${r.pattern}`));
 * ```
 */
export function buildAppModel(
  schema: Schema,
  config: RohasConfig,
  options: BuildAppModelOptions,
): AppModel {
  const root = options.root.replace(/\/+$/, "");
  const r = new Resolver(root, config, options.exists ?? fileExistsUnder(root));
  const project = config.project.name;
  const model: AppModel = {
    project,
    root,
    routes: buildRoutes(schema, r),
    events: buildEvents(schema, project, r),
    schedules: buildSchedules(schema, r),
    sockets: buildSockets(schema, r),
  };
  if (r.missing.length > 0) throw new HandlerResolutionError(r.missing);
  return model;
}
