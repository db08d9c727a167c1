/**
 * The workbench request handler: the JSON API under `/api/workbench/*`
 * (docs/compatibility.md#workbench-api paths and shapes, built from the parsed schema, extended
 * with trace trees, metrics, dead letters, cron run-now and a Server-Sent Events stream) and the
 * single-page app under `/_rohas/`. The engine mounts it before its own routes; it answers `null`
 * for anything that is not a workbench route.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import type { DeadLetter } from "../adapters/mod.ts";
import type { TelemetryReader } from "../telemetry/mod.ts";
import { addCorsHeaders, checkAccess, type Client, isAllowedHost } from "./_auth.ts";
import { type Ctx, need } from "./_context.ts";
import { deadLetters, replay, runCron, trigger } from "./_event_routes.ts";
import {
  configSummary,
  dataBody,
  handlerBuckets,
  middlewareBuckets,
  schemaBuckets,
} from "./_files.ts";
import { endpoints, type HandlerFiles, jsonSchemaOf, schemaGraph } from "./_schema_views.ts";
import { SystemSampler } from "./_system.ts";
import { eventStream } from "./_live.ts";
import { StaticFiles } from "./_static.ts";
import {
  listLogs,
  listTraces,
  logPoll,
  streamKinds,
  tracePoll,
  traceTree,
} from "./_telemetry_routes.ts";
import { WorkbenchConfigError, WorkbenchError } from "./errors.ts";
import { projectAsyncApi, projectOpenApi } from "../contract/mod.ts";

/** The event side the workbench drives: trigger, list and replay dead letters (the event bus). */
export interface WorkbenchEvents {
  /** Publishes an event (the envelope, when returned, gives the id and trace id). */
  publish(
    topic: string,
    payload: unknown,
    options: { parentId: string | null; source: string },
  ): Promise<{ id: string; metadata: { trace_id: string } } | unknown>;
  /** Dead letters, newest first. */
  listDeadLetters(topic?: string): Promise<DeadLetter[]>;
  /** Re-delivers dead letters; returns how many. */
  replayDeadLetters(topic: string, options?: { ids?: string[] }): Promise<number>;
  /**
   * Whether an error of `publish` or `replayDeadLetters` is a refusal of the payload (the client's
   * to fix: 422 with its details) rather than a failure (500). Default: none is.
   */
  refusal?(error: unknown): { message: string; details: unknown } | null;
}

/** Options of {@linkcode createWorkbenchHandler}. */
export interface WorkbenchOptions {
  /** The project root. */
  root: string;
  /** The resolved config (`[workbench]` api_key and allowed_origins, already env-overridden). */
  config: RohasConfig;
  /** The current parsed schema (read per request, so hot reload shows at once). */
  schema: () => Schema;
  /** The telemetry to read (a `createTelemetry` result). */
  telemetry: TelemetryReader;
  /** The event bus. Default: trigger and dead-letter routes answer 501. */
  events?: WorkbenchEvents;
  /** Runs a cron job now. Default: `/crons/{name}/run` answers 501. */
  runCron?: (name: string) => Promise<unknown>;
  /**
   * What the flow limits hold now across instances (`GET limits`, engine/limits `limitsSnapshot`).
   * Default: the route answers 501.
   */
  limits?: () => Promise<unknown>;
  /** Handler files by `<kind>:<name>` (for graph node paths). Default none. */
  handlerFiles?: () => HandlerFiles;
  /** `dev` lets loopback peers in without a key. Default `dev`. */
  mode?: "dev" | "production";
  /** Where the built app is. Default `workbench/dist/`. */
  distUrl?: URL;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

/** Where the peer is, as `Deno.serve` reports it. */
export interface WorkbenchRequestInfo {
  /** The peer address. */
  remoteAddr?: { hostname: string; port: number } | Deno.Addr;
  /** The `Host` the client sent, when a trusted hop forwarded it. Default: the URL's host. */
  host?: string;
}

/** A request handler answering workbench routes, `null` for every other request. */
export type WorkbenchHandler = (
  request: Request,
  info?: WorkbenchRequestInfo,
) => Promise<Response | null>;

/** The API prefix. */
export const API_PREFIX = "/api/workbench/";

/** The app prefix. */
export const APP_PREFIX = "/_rohas/";

/**
 * Creates the workbench handler.
 *
 * @param options root, config, schema, telemetry, event bus, cron hook
 * @returns `(request, info) => Promise<Response | null>`; never rejects
 * @example Mounted in front of an engine (a fragment of the engine's start-up, not run as a documentation test)
 * ```ts ignore
 * const workbench = createWorkbenchHandler({ root, config, schema: () => schema, telemetry });
 * Deno.serve(async (req, info) => (await workbench(req, info)) ?? engine.handler(req, info));
 * ```
 */
export function createWorkbenchHandler(options: WorkbenchOptions): WorkbenchHandler {
  checkWorkbenchConfig(options.config, options.mode ?? "dev");
  const sampler = new SystemSampler(options.now);
  const files = new StaticFiles(options.distUrl);
  const hosts = allowedHosts(options.config);
  return async (request, info) => {
    const url = new URL(request.url);
    const document = CONTRACT_DOCUMENTS.get(url.pathname);
    if (document !== undefined && (request.method === "GET" || request.method === "HEAD")) {
      // The API documents describe the project: the same access rules as the workbench's API.
      const serve = () => Promise.resolve(json(document(options.schema(), options.config)));
      return await api(request, url, clientOf(url, info), { options, sampler }, serve);
    }
    if (url.pathname === "/_rohas" || url.pathname.startsWith(APP_PREFIX)) {
      if (request.method !== "GET" && request.method !== "HEAD") return null;
      const { host } = clientOf(url, info);
      if (!isAllowedHost(host, hosts)) return json({ error: `Host "${host}" is not allowed` }, 403);
      return await files.serve(url.pathname);
    }
    if (!url.pathname.startsWith(API_PREFIX)) return null;
    return await api(request, url, clientOf(url, info), { options, sampler });
  };
}

/**
 * Refuses a workbench that nobody could use: under `rohas start` there is no loopback exception,
 * so without a key every request would get 401. Refusing at startup says how to set one instead
 * (a generated key printed once would be lost with the log, or leak into it).
 *
 * @param config the resolved config (`[workbench] api_key`, env-overridden)
 * @param mode `dev` or `production`
 * @throws {WorkbenchConfigError} in production without an API key
 * @example
 * ```ts
 * import { checkWorkbenchConfig } from "./handler.ts";
 * import { parseConfig } from "../project/mod.ts";
 * checkWorkbenchConfig(parseConfig("", { file: "rohas.toml" }), "dev");
 * ```
 */
export function checkWorkbenchConfig(config: RohasConfig, mode: "dev" | "production"): void {
  if (mode === "production" && config.workbench.api_key === "") {
    throw new WorkbenchConfigError(
      "Cannot serve the workbench under rohas start without an API key: set [workbench] api_key " +
        "in config/rohas.toml or the ROHAS_WORKBENCH_API_KEY environment variable " +
        "(for example to the output of: openssl rand -base64 24)",
    );
  }
}

/** The configured host names the workbench answers to, `[server] host` included. */
function allowedHosts(config: RohasConfig): string[] {
  return [...config.workbench.allowed_hosts, config.server.host];
}

/** The peer's address and the `Host` it sent (an edge forwards both). */
function clientOf(url: URL, info: WorkbenchRequestInfo | undefined): Client {
  const addr = info?.remoteAddr;
  return {
    peer: addr && "hostname" in addr ? addr.hostname : undefined,
    host: info?.host ?? url.host,
  };
}

/** The OpenAPI and AsyncAPI documents of the served schema, by path. */
const CONTRACT_DOCUMENTS = new Map<string, (schema: Schema, config: RohasConfig) => unknown>([
  ["/_rohas/openapi.json", projectOpenApi],
  ["/_rohas/asyncapi.json", projectAsyncApi],
]);

async function api(
  request: Request,
  url: URL,
  client: Client,
  base: { options: WorkbenchOptions; sampler: SystemSampler },
  serve: (ctx: Ctx) => Promise<Response> = safeRoute,
): Promise<Response> {
  const { config } = base.options;
  const origins = config.workbench.allowed_origins;
  let response: Response;
  if (request.method === "OPTIONS") {
    response = new Response(null, { status: 204 });
  } else {
    const access = checkAccess(request, client, {
      apiKey: config.workbench.api_key,
      allowedOrigins: origins,
      allowedHosts: allowedHosts(config),
      dev: (base.options.mode ?? "dev") === "dev",
    });
    response = access.ok
      // `safeRoute` decodes the path itself, so a malformed one is a 400 rather than a throw.
      ? await serve({ ...base, request, url, parts: [] })
      : json({ error: access.message }, access.status);
  }
  addCorsHeaders(response.headers, request, origins);
  return response;
}

function segments(url: URL): string[] {
  return url.pathname.slice(API_PREFIX.length).split("/").filter((s) => s !== "").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch (error) {
      throw new WorkbenchError(400, `Malformed percent-encoding in "${s}"`, { cause: error });
    }
  });
}

async function safeRoute(ctx: Ctx): Promise<Response> {
  try {
    return await route({ ...ctx, parts: segments(ctx.url) });
  } catch (error) {
    if (error instanceof WorkbenchError) {
      const details = error.details === undefined ? {} : { details: error.details };
      return json({ error: error.message, ...details }, error.status);
    }
    return json({ error: `Workbench request failed: ${(error as Error).message ?? error}` }, 500);
  }
}

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

async function route(ctx: Ctx): Promise<Response> {
  const [first, second, third] = ctx.parts;
  const method = ctx.request.method === "HEAD" ? "GET" : ctx.request.method;
  const key = `${method} ${first ?? ""}${second === undefined ? "" : "/*"}${
    third === undefined ? "" : "/" + third
  }`;
  const o = ctx.options;
  switch (key) {
    case "GET snapshot":
      return json(await snapshot(o));
    case "GET data":
      return json(await dataBody(o.root, o.config, (o.now ?? Date.now)()));
    case "GET schema-graph":
      return json({ root: o.root, ...schemaGraph(o.schema(), o.handlerFiles?.()) });
    case "GET traces":
      return json(await listTraces(ctx));
    case "GET traces/*":
      return second === "poll" ? json(await tracePoll(ctx)) : json(await traceTree(ctx, second!));
    case "GET logs":
      return json(await listLogs(ctx));
    case "GET logs/*":
      if (second !== "poll") break;
      return json(await logPoll(ctx));
    case "GET endpoints":
      return json(endpoints(o.schema()));
    case "GET types/*":
      return json(typeSchema(o.schema(), second!));
    case "POST events/*/trigger":
      return json(await trigger(ctx, second!));
    case "GET system-metrics":
      return json(ctx.sampler.read());
    case "GET metrics":
      return json({ series: o.telemetry.metrics() });
    case "GET limits":
      return json({ handlers: await need(o.limits, "The flow limits' state")() });
    case "GET dead-letters":
      return json(await deadLetters(ctx));
    case "POST dead-letters/*":
      if (second !== "replay") break;
      return json(await replay(ctx));
    case "POST crons/*/run":
      return json(await runCron(ctx, second!));
    case "GET stream":
      return eventStream(o.telemetry, streamKinds(ctx.url));
  }
  throw new WorkbenchError(404, `No workbench route ${ctx.request.method} ${ctx.url.pathname}`);
}

async function snapshot(o: WorkbenchOptions): Promise<Record<string, unknown>> {
  const schema = await schemaBuckets(o.root);
  const handlers = await handlerBuckets(o.root);
  const middlewares = await middlewareBuckets(o.root);
  const total = (list: { files: unknown[] }[]) => list.reduce((n, b) => n + b.files.length, 0);
  return {
    root: o.root,
    config: configSummary(o.config),
    schema: { total: total(schema), buckets: schema },
    handlers: { total: total(handlers), buckets: handlers },
    middlewares: { total: total(middlewares), buckets: middlewares },
  };
}

function typeSchema(schema: Schema, name: string): Record<string, unknown> {
  const out = jsonSchemaOf(schema, name);
  if (!out) throw new WorkbenchError(404, `No type "${name}" in the schema`);
  return out;
}

/** A handler under a path prefix, as the engine's `mounts` option takes it. */
export interface WorkbenchMount {
  /** `/api/workbench/` or `/_rohas/`. */
  prefix: string;
  /** Answers every request under the prefix (404 JSON for unknown workbench paths). */
  handler: (request: Request, info?: WorkbenchRequestInfo) => Promise<Response>;
}

/**
 * The two mounts the engine needs (`/api/workbench/` and `/_rohas/`), for its `mounts` option.
 *
 * @param workbench the handler from {@linkcode createWorkbenchHandler}
 * @returns the mounts; requests the workbench does not answer get a JSON 404
 * @example Mounted in an engine (a fragment of the engine's start-up, not run as a documentation test)
 * ```ts ignore
 * createEngine({ ...parts, mounts: workbenchMounts(createWorkbenchHandler(options)) });
 * ```
 */
export function workbenchMounts(workbench: WorkbenchHandler): WorkbenchMount[] {
  const handler = async (request: Request, info?: WorkbenchRequestInfo) =>
    (await workbench(request, info)) ??
      Response.json({ error: `No workbench route ${new URL(request.url).pathname}` }, {
        status: 404,
      });
  return [{ prefix: API_PREFIX, handler }, { prefix: APP_PREFIX, handler }];
}
