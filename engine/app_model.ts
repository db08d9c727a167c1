/**
 * Register: the parsed schema plus the config become plain data, the application model: routes,
 * event subscriptions, schedules and socket endpoints, each with its handlers resolved to
 * {@linkcode HandlerRef}s (docs/design.md#layout-and-flow, docs/design.md#register-build-run).
 * Nothing here listens or runs.
 *
 * @module
 */

import type { Event, FieldType, FlowControls, Schema } from "../parser/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import type { HandlerKind, HandlerRef } from "./runtime/contract.ts";
import { HandlerResolutionError, type MissingHandler } from "./errors.ts";
import { type HandlerSpec, resolveHandler } from "./_resolve_handler.ts";

/** One segment of a route pattern: a literal or a captured parameter. */
export type PathSegment = { kind: "literal"; value: string } | { kind: "param"; name: string };

/** How a query parameter is coerced into a body field (GET/DELETE APIs with a body type). */
export interface QueryField {
  /** `Int`, `Float`, `Boolean`, or `String` (anything else is kept as text). */
  type: "Int" | "Float" | "Boolean" | "String";
  /** Whether the field is a list (`tags=a&tags=b`). */
  array: boolean;
}

/** An HTTP route of an `api`. */
export interface RouteSpec {
  /** The api's name. */
  api: string;
  /** The HTTP method, upper case. */
  method: string;
  /** The path as written in the schema. */
  pattern: string;
  /**
   * `{ method, path }` of the route, frozen: what a request's trace is counted by until its whole
   * metadata is built (`StartTraceOptions.lazyMetadata`), shared by every request of the route
   * instead of built for each.
   */
  traceKey?: Readonly<Record<string, string>>;
  /** The pattern split into literal and parameter segments. */
  segments: PathSegment[];
  /** The path parameter names, in order. */
  params: string[];
  /** The declared body type, or null. */
  bodyType: string | null;
  /**
   * For GET and DELETE APIs with a body type: the body is built from the query string, each
   * declared field coerced by its type. Null otherwise (the body is read from the request).
   */
  queryFields: Record<string, QueryField> | null;
  /** The declared response type. */
  responseType: string;
  /** The schema's `triggers:` events, published after success. */
  triggers: string[];
  /** The resolved api handler. */
  handler: HandlerRef;
  /** The resolved middlewares, in the order they run. */
  middlewares: HandlerRef[];
}

/** One event handler's subscription: its own consumer group. */
export interface SubscriptionSpec {
  /** The resolved event handler. */
  handler: HandlerRef;
  /** `<project>.<handler entry>`. */
  group: string;
  /** The flow controls of this handler (`on <handler> { … }` in the event), as plain data;
   * omitted when it declares none. */
  controls?: SubscriptionControls;
}

/** The flow controls of one subscription: those of the schema's `on handler` block. */
export type SubscriptionControls = Omit<FlowControls, "handler">;

/** An event with its handlers and forwarded triggers. */
export interface EventSpec {
  /** The event's name (its topic). */
  event: string;
  /** The declared payload type. */
  payloadType: string;
  /** Events each occurrence's payload is forwarded to. */
  triggers: string[];
  /** One subscription per handler, in schema order. */
  subscriptions: SubscriptionSpec[];
}

/** A cron job. */
export interface ScheduleSpec {
  /** The cron job's name. */
  name: string;
  /** The cron expression (5, 6 or 7 fields, or a nickname). */
  schedule: string;
  /** The IANA time zone. Absent means UTC. */
  timezone?: string;
  /** Events published after a successful run. */
  triggers: string[];
  /** The resolved cron handler. */
  handler: HandlerRef;
}

/** A WebSocket endpoint. */
export interface SocketSpec {
  /** The endpoint's name. */
  name: string;
  /** The route the endpoint upgrades on. */
  path: string;
  /** The path split into literal and parameter segments. */
  segments: PathSegment[];
  /** The type every message is validated against, or null for untyped messages. */
  messageType: string | null;
  /** Handlers run in order when a connection opens. */
  onConnect: HandlerRef[];
  /** Handlers run in order for each message. */
  onMessage: HandlerRef[];
  /** Handlers run in order when a connection closes. */
  onDisconnect: HandlerRef[];
  /** Events published after a message's handlers succeed. */
  triggers: string[];
  /** Whether replies go to every connection of the endpoint instead of the sender. */
  broadcast: boolean;
  /** The resolved middlewares, run before the upgrade. */
  middlewares: HandlerRef[];
}

/** The resolved application: plain data, built once per schema version. */
export interface AppModel {
  /** The project name (the consumer group prefix). */
  project: string;
  /** The absolute project root. */
  root: string;
  /** One route per api, in schema order. */
  routes: RouteSpec[];
  /** One entry per event, in schema order. */
  events: EventSpec[];
  /** One entry per cron job, in schema order. */
  schedules: ScheduleSpec[];
  /** One entry per WebSocket endpoint, in schema order. */
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
 * import { ok as assert } from "node:assert/strict";
 * import { parsePattern } from "./app_model.ts";
 * const segments = parsePattern("/users/{id}/posts/:post");
 * assert(segments.length === 4 && segments[3]?.kind === "param");
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
      traceKey: Object.freeze({ method: api.method, path: api.path }),
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
    subscriptions: event.handlers.map((h) => {
      const spec: SubscriptionSpec = {
        handler: r.resolve("event", h, event.name),
        group: `${project}.${h}`,
      };
      const controls = controlsOf(event, h);
      if (controls !== undefined) spec.controls = controls;
      return spec;
    }),
  }));
}

/** The controls of a handler as plain data (a copy: the model never shares the schema's objects). */
function controlsOf(event: Event, handler: string): SubscriptionControls | undefined {
  const flow = event.flow?.find((f) => f.handler === handler);
  if (flow === undefined) return undefined;
  const { handler: _, ...controls } = structuredClone(flow);
  return Object.keys(controls).length === 0 ? undefined : controls;
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
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildAppModel } from "./app_model.ts";
 * import { parseSchema } from "../parser/mod.ts";
 * import { parseConfig } from "../project/mod.ts";
 * const { schema } = parseSchema('api Health { method: GET path: "/health" response: String }');
 * const config = parseConfig('[project]\nname = "demo"', { file: "config.toml" });
 * const model = buildAppModel(schema, config, { root: "/srv/app", exists: () => true });
 * assertEquals(model.routes[0]?.handler.file, "/srv/app/src/handlers/api/health.ts");
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

/**
 * Every handler reference of a model, middlewares included: API routes, event subscriptions,
 * crons and WebSocket phases, in that order (a handler named twice appears twice).
 *
 * @param model the application model
 * @returns the references
 */
export function handlerRefsOf(model: AppModel): HandlerRef[] {
  return [
    ...model.routes.flatMap((r) => [r.handler, ...r.middlewares]),
    ...model.events.flatMap((e) => e.subscriptions.map((s) => s.handler)),
    ...model.schedules.map((s) => s.handler),
    ...model.sockets.flatMap((s) => [
      ...s.onConnect,
      ...s.onMessage,
      ...s.onDisconnect,
      ...s.middlewares,
    ]),
  ];
}

/** What {@linkcode singleHandlerModel} builds a model from. */
export interface SingleHandlerOptions {
  /** The project's name. */
  project: string;
  /** The project's root directory. */
  root: string;
  /** The event's name. */
  event: string;
  /** The handler's name. Default `work`. */
  handler?: string;
  /** The function the handler file exports. Default: the handler's name. */
  exportName?: string;
  /** The consumer group. Default `<project>.<handler>`. */
  group?: string;
  /** The handler's flow controls (`on <handler> { … }`). Default: none. */
  controls?: SubscriptionControls | undefined;
}

/**
 * The model of an app with one JSON event and one TypeScript handler of it, in
 * `<root>/src/handlers/events/<handler>.ts`: what the flow-control suites, the engine's event tests
 * and the events benchmark drive the event wiring with.
 *
 * @param options the names and the handler's controls
 * @returns the model, with no routes, schedules or sockets
 * @example
 * ```ts
 * import { singleHandlerModel } from "./app_model.ts";
 * const model = singleHandlerModel({ project: "shop", root: "/shop", event: "Job" });
 * if (model.events[0]!.subscriptions[0]!.group !== "shop.work") throw new Error("Example failed");
 * ```
 */
export function singleHandlerModel(options: SingleHandlerOptions): AppModel {
  const { project, root, event, handler: name = "work", controls } = options;
  const handler: HandlerRef = {
    kind: "event",
    name,
    owner: event,
    language: "typescript",
    file: `${root}/src/handlers/events/${name}.ts`,
    exports: [options.exportName ?? name],
    profile: "default",
  };
  const group = options.group ?? `${project}.${name}`;
  return {
    project,
    root,
    routes: [],
    schedules: [],
    sockets: [],
    events: [{
      event,
      payloadType: "Json",
      triggers: [],
      subscriptions: [{ handler, group, ...(controls ? { controls } : {}) }],
    }],
  };
}
