/**
 * The HTTP pipeline (docs/design.md#d3-requests-and-validation): route, read and validate the body,
 * run middlewares in order, call the handler with a timeout, publish triggers before answering
 * (D9), and map every outcome to a status with a JSON error body. Testable without a socket: it is
 * a plain `(Request) => Promise<Response>`.
 *
 * @module
 */

import type { ActiveTrace } from "../telemetry/mod.ts";
import type { RouteSpec, SocketSpec } from "./app_model.ts";
import type { BuiltApp } from "./build.ts";
import type { Effect, HandlerOutput, InvocationResult } from "./runtime/contract.ts";
import type { EngineParts } from "./parts.ts";
import {
  bodyPlan,
  errorBody,
  headersRecord,
  isJsonBodyType,
  JSON_TYPE,
  type JsonBodyRead,
  jsonFailure,
  parseQuery,
  queryBody,
  readJsonBody,
  splitUrl,
  TRACE_HEADER,
  validateValue,
} from "./_http_util.ts";
import { addTriggersStep, invokeHandler } from "./_invoke.ts";
import { SocketTargetError } from "./socket_fanout.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../_json_depth.ts";
import { clientFailure } from "./_failure.ts";
import { type MiddlewareOutcome, runMiddlewares } from "./_middlewares.ts";
import { invalidPayloadLog, publishTriggers } from "./triggers.ts";
import { InvalidEventPayloadError } from "./events/mod.ts";
import { requestMetadata } from "./_trace_metadata.ts";

/** Where the peer is, when the server knows it, and what the server already knows of the request. */
export interface RequestInfo {
  /** The peer's address; recorded in the request's trace. */
  remoteAddr?: { hostname: string; port: number } | Deno.Addr;
  /**
   * The `Host` the client sent, when a trusted hop (an edge) forwarded the request and the request
   * URL names the hop instead. Default: the request URL's host.
   */
  host?: string;
  /**
   * The API route the server already matched for this request's method and path (an edge process
   * routes to pick what it serves): the pipeline serves it without matching again. Default: the
   * pipeline matches against its current app.
   */
  matched?: MatchedRoute;
}

/** An API route matched for a request, with its decoded path params. */
export interface MatchedRoute {
  /** The route, one of the served app's. */
  route: RouteSpec;
  /** The path params by name. */
  params: Record<string, string>;
}

/** Serves requests that are not API routes (WebSocket upgrades, workbench, ...). */
export type RequestHandler = (request: Request, info?: RequestInfo) => Promise<Response>;

/** A handler tried before the API routes; it answers `null` for requests it does not serve. */
export interface Mount {
  /** Only paths starting with this reach the handler, such as `/api/workbench/`. */
  prefix: string;
  /** Answers the request, or `null` to let the API routes try it. */
  handler: (request: Request, info?: RequestInfo) => Promise<Response | null>;
}

/** Options of {@linkcode createHttpHandler}. */
export interface HttpPipelineOptions {
  /** The app to serve right now; read per request so reload swaps it atomically. */
  current: () => BuiltApp;
  parts: EngineParts;
  /** Serves a matched socket endpoint (the WebSocket hub). Default: 400 for every upgrade. */
  sockets?: (request: Request, arg: SocketArg) => Promise<Response>;
  mounts?: Mount[];
  /** Readiness for `/_rohas/ready`. Default: always ready. */
  ready?: () => boolean;
}

/** The socket endpoint and trace id a socket request is handed with. */
export interface SocketArg {
  socket: SocketSpec;
  traceId: string;
}

/** The init headers of every JSON answer. */
const JSON_HEADERS = { "content-type": JSON_TYPE } as const;

/** The metadata of a request trace when traces are off. */
const NO_METADATA: Record<string, string> = Object.freeze({});

/** Paths whose answers the engine's CORS leaves alone (the workbench applies `allowed_origins`). */
const OWN_CORS_PREFIXES = ["/api/workbench/", "/_rohas/"] as const;

/** Builds the request handler.
 *
 * @param options the app, the parts, optional sockets and mounts
 * @returns `(request) => Promise<Response>`; it never rejects
 */
export function createHttpHandler(options: HttpPipelineOptions): RequestHandler {
  return (request, info) => {
    // A flat string: a header value built by concatenation (a rope) costs the response headers'
    // byte checks about 0.2 us more per request than this op (bench/http_bench.ts, measured).
    const exchange = new Exchange(request, crypto.randomUUID(), options.parts);
    try {
      // Most answers are built without waiting: only a promise is waited for (with `then`, not an
      // `async` function, whose frame and promise cost every request).
      const answer = route(options, exchange, info);
      if (!(answer instanceof Promise)) return Promise.resolve(decorate(answer, exchange));
      return answer.then(
        (response) => decorate(response, exchange),
        (error) => decorate(crashed(options, exchange, error), exchange),
      );
    } catch (error) {
      return Promise.resolve(decorate(crashed(options, exchange, error), exchange));
    }
  };
}

/** Never a crash because of one request: an engine defect, answered and reported as such. */
function crashed(options: HttpPipelineOptions, exchange: Exchange, error: unknown): Response {
  exchange.trace?.end("failed", String(error));
  const message = options.parts.mode === "dev" ? String(error) : "Internal server error";
  return exchange.error(500, message);
}

/**
 * One request and how the pipeline answers it: its trace id, and the headers every answer the
 * pipeline builds itself carries from the start (trace id, CORS), so only foreign responses (a
 * handler's `Response`, mounts, upgrades) need headers set afterwards.
 */
class Exchange {
  readonly request: Request;
  traceId: string;
  readonly url: { pathname: string; search: string };
  readonly cors: boolean;
  /** The last response built by {@linkcode Exchange.json}; it needs no decoration. */
  own: Response | null = null;
  /** The API trace, once started; a crash of the pipeline ends it as failed. */
  trace: ActiveTrace | null = null;

  constructor(request: Request, traceId: string, parts: EngineParts) {
    this.request = request;
    this.traceId = traceId;
    this.url = splitUrl(request.url);
    this.cors = parts.config.server.enable_cors && !hasOwnCors(this.url.pathname);
  }

  /** A JSON answer with the trace id and CORS headers. */
  json(status: number, text: string): Response {
    // Built with its content type alone, then the rest set one by one: Deno takes a fast path for
    // a lone content type, while a header record goes through a WebIDL conversion that costs
    // about 3 us for four headers (measured), a fifth of the pipeline's time per request.
    const response = new Response(text, { status, headers: JSON_HEADERS });
    // Appended, not set: the headers are new, so there is nothing to look up and replace.
    const headers = response.headers;
    headers.append(TRACE_HEADER, this.traceId);
    if (this.cors) {
      // Permissive CORS (any origin): the answer does not depend on the request's Origin, so it
      // is neither read nor echoed, and needs no `Vary: Origin`.
      headers.append("access-control-allow-origin", "*");
      headers.append("access-control-expose-headers", TRACE_HEADER);
    }
    return this.own = response;
  }

  /** A D3 error answer. */
  error(status: number, message: string, details?: unknown): Response {
    return this.json(status, errorBody(message, { traceId: this.traceId, details }));
  }
}

/**
 * Whether the answers under a path set their own CORS headers (the workbench, `/_rohas/`), so the
 * engine's CORS, preflight included, leaves them alone.
 *
 * @param pathname the request's path
 * @returns true under `/api/workbench/` and `/_rohas/`
 */
export function hasOwnCors(pathname: string): boolean {
  // Indexed: a `for...of` here allocated an iterator on every request (measured).
  for (let i = 0; i < OWN_CORS_PREFIXES.length; i++) {
    if (pathname.startsWith(OWN_CORS_PREFIXES[i]!)) return true;
  }
  return false;
}

function route(
  options: HttpPipelineOptions,
  exchange: Exchange,
  info: RequestInfo | undefined,
): Response | Promise<Response> {
  const builtin = builtinRoute(options, exchange);
  if (builtin) return builtin;
  const mounts = options.mounts;
  if (mounts !== undefined) {
    for (let i = 0; i < mounts.length; i++) {
      if (exchange.url.pathname.startsWith(mounts[i]!.prefix)) {
        return routeMounted(options, exchange, info, i);
      }
    }
  }
  return routeApp(options, exchange, info);
}

/** Tries the mounts from index `first` (the first whose prefix matches), then the routes. */
async function routeMounted(
  options: HttpPipelineOptions,
  exchange: Exchange,
  info: RequestInfo | undefined,
  first: number,
): Promise<Response> {
  const mounts = options.mounts!;
  for (let i = first; i < mounts.length; i++) {
    const mount = mounts[i]!;
    if (!exchange.url.pathname.startsWith(mount.prefix)) continue;
    const response = await mount.handler(exchange.request, info);
    if (response) return response;
  }
  return await routeApp(options, exchange, info);
}

function routeApp(
  options: HttpPipelineOptions,
  exchange: Exchange,
  info: RequestInfo | undefined,
): Response | Promise<Response> {
  const matched = info?.matched;
  if (matched !== undefined) {
    return serveApi(options.parts, matched.route, { exchange, info, params: matched.params });
  }
  const { request, url } = exchange;
  const app = options.current();
  const match = app.router.match(request.method, url.pathname);
  switch (match.kind) {
    case "not_found":
      return exchange.error(404, `No route for ${request.method} ${url.pathname}`);
    case "bad_path":
      return exchange.error(400, match.reason);
    case "method_not_allowed": {
      const response = exchange.error(405, `Method ${request.method} not allowed`);
      response.headers.set("allow", match.allow.join(", "));
      return response;
    }
    case "found": {
      const ep = match.value;
      if (ep.kind === "socket") {
        if (!options.sockets) return exchange.error(400, "WebSockets are not served here");
        const arg = { socket: ep.socket, traceId: exchange.traceId };
        return options.sockets(request, arg);
      }
      return serveApi(options.parts, ep.route, { exchange, info, params: match.params });
    }
  }
}

function builtinRoute(options: HttpPipelineOptions, exchange: Exchange): Response | null {
  const { request, url } = exchange;
  if (request.method === "OPTIONS" && exchange.cors) return new Response(null, { status: 204 });
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  if (url.pathname === "/_rohas/health") return exchange.json(200, '{"status":"ok"}');
  if (url.pathname === "/_rohas/ready") {
    const ready = options.ready?.() ?? true;
    return ready ? exchange.json(200, '{"status":"ready"}') : exchange.error(503, "Not ready");
  }
  return null;
}

interface ApiCall {
  exchange: Exchange;
  info: RequestInfo | undefined;
  params: Record<string, string>;
}

function serveApi(
  parts: EngineParts,
  route: RouteSpec,
  call: ApiCall,
): Response | Promise<Response> {
  const { exchange } = call;
  // The request's headers are read once, here: one record for the trace metadata, the body
  // limit, the middlewares and the handler (each header lookup on a served request is an op).
  const headers = headersRecord(exchange.request.headers);
  const trace = parts.config.telemetry.enable_traces
    ? startApiTrace(parts, route, { exchange, headers, info: call.info })
    // With traces off the recorder keeps no trace: its metadata is not worth a clock read.
    : parts.telemetry.startTrace({
      id: exchange.traceId,
      entryPoint: route.api,
      entryType: "api",
      metadata: NO_METADATA,
    });
  exchange.traceId = trace.id;
  exchange.trace = trace;
  const run: ApiRun = {
    parts,
    route,
    exchange,
    params: call.params,
    headers,
    trace,
    query: parseQuery(exchange.url.search),
  };
  return runApi(run);
}

/** Starts a recorded API trace: one clock read for its start and its metadata's `datetime_utc`. */
function startApiTrace(
  parts: EngineParts,
  route: RouteSpec,
  request: { exchange: Exchange; headers: Record<string, string>; info: RequestInfo | undefined },
): ActiveTrace {
  const { exchange, headers, info } = request;
  const startedMs = Date.now();
  const method = exchange.request.method;
  const metadata = () => requestMetadata({ method, headers }, route.pattern, { info, startedMs });
  const telemetry = parts.telemetry;
  const id = exchange.traceId;
  // Under load most traces are counted, not kept: what only a kept trace needs (the peer address,
  // the client's headers, the ISO start) is gathered when the recorder keeps or reads it. Each
  // call's options are one literal (no spread of a shared part: a copy per request).
  if (telemetry.lazyMetadata !== true) {
    return telemetry.startTrace({
      id,
      entryPoint: route.api,
      entryType: "api",
      startedMs,
      metadata: metadata(),
    });
  }
  return telemetry.startTrace({
    id,
    entryPoint: route.api,
    entryType: "api",
    startedMs,
    metadata: { method, path: route.pattern },
    lazyMetadata: metadata,
  });
}

/**
 * One API request under way, from its body to its answer. Each step takes it alone and answers
 * without a promise when nothing was waited for: an `async` function costs every request its
 * promise and frame (about 400 bytes each, measured), so only the body read and a handler that did
 * not answer at once go through `then`.
 */
interface ApiRun {
  parts: EngineParts;
  route: RouteSpec;
  exchange: Exchange;
  params: Record<string, string>;
  headers: Record<string, string>;
  trace: ActiveTrace;
  /** The query params; the middlewares may replace them. */
  query: Record<string, string | string[]>;
}

function runApi(run: ApiRun): Response | Promise<Response> {
  const { route } = run;
  if (route.queryFields !== null) return afterBody(run, queryBody(run.query, route.queryFields));
  if (route.bodyType === null) return afterBody(run, null);
  const request = run.exchange.request;
  const limit = run.parts.config.server.max_body_bytes;
  const length = run.headers["content-length"];
  const plan = bodyPlan({ method: request.method, length, limit });
  if (plan !== "empty" && !isJsonBodyType(run.headers)) {
    return unsupportedType(request, run.headers["content-type"]).then((read) =>
      bodyRead(run, read)
    );
  }
  if (plan !== "json") {
    return readJsonBody(request, { limit, length }).then((r) => bodyRead(run, r));
  }
  // The common case: a body of declared length, read with `request.json()` (see readJsonBody).
  const bytes = Number(length);
  return request.json().then(
    (value) => bodyRead(run, { kind: "ok", value }, bytes),
    (error) => bodyRead(run, jsonFailure(error)),
  );
}

/** A JSON body as the pipeline reads it: also refused for its content type or its depth. */
type BodyRead = JsonBodyRead | { kind: "unsupported_type"; type: string | undefined } | {
  kind: "too_deep";
};

/**
 * Refuses a body whose content type is not JSON (see `isJsonBodyType`: a form or `text/plain` a
 * page may post cross-site without a preflight is never parsed), dropping it unread.
 */
async function unsupportedType(request: Request, type: string | undefined): Promise<BodyRead> {
  await request.body?.cancel().catch(() => {});
  return { kind: "unsupported_type", type };
}

/** Goes on with a body read, at most {@linkcode MAX_JSON_DEPTH} levels deep, or refuses it. */
function bodyRead(run: ApiRun, read: BodyRead, bytes?: number): Response | Promise<Response> {
  if (read.kind === "empty") return afterBody(run, null);
  if (read.kind !== "ok") return bodyFailure(run.exchange, run.trace, read, run.parts);
  if (exceedsJsonDepth(read.value, { limit: MAX_JSON_DEPTH, bytes })) {
    return bodyFailure(run.exchange, run.trace, { kind: "too_deep" }, run.parts);
  }
  return afterBody(run, read.value);
}

/** After the body: the middlewares (when the route has any), validation, the handler. */
function afterBody(run: ApiRun, payload: unknown): Response | Promise<Response> {
  // No middlewares: nothing to wait for on the hot path.
  return run.route.middlewares.length > 0 ? afterMiddlewares(run, payload) : invoke(run, payload);
}

async function afterMiddlewares(run: ApiRun, payload: unknown): Promise<Response> {
  const { route, trace } = run;
  const mw: MiddlewareOutcome = await runMiddlewares(run.parts, {
    middlewares: route.middlewares,
    context: {
      payload,
      queryParams: run.query,
      headers: run.headers,
      apiName: route.api,
      traceId: trace.id,
    },
    trace,
  });
  if (mw.kind === "rejected") return fail(run.exchange, trace, mw.status, mw.message, mw.details);
  run.query = mw.queryParams;
  return await invoke(run, mw.payload);
}

/** Validates the payload and calls the handler with the request it receives. */
function invoke(run: ApiRun, payload: unknown): Response | Promise<Response> {
  const { parts, route, trace } = run;
  const issues = validateValue(payload, {
    validators: parts.validators,
    type: route.bodyType,
    unknownFields: parts.config.server.unknown_fields,
  });
  if (issues) {
    return fail(
      run.exchange,
      trace,
      422,
      `Request body does not match "${route.bodyType}"`,
      issues,
    );
  }
  const request: Record<string, unknown> = { ...run.params };
  if (route.bodyType !== null) request.body = payload;
  request.queryParams = run.query;
  request.headers = run.headers;
  const answer = invokeHandler(parts, {
    handler: route.handler,
    input: { kind: "api", request },
    trace,
  });
  // A handler that answered at once (in process) is not waited for: no turn of the event loop.
  if (answer instanceof Promise) return answer.then((result) => answerWith(run, result));
  return answerWith(run, answer);
}

/** The answer to a handler's result: its failure, its output, or its events published first. */
function answerWith(run: ApiRun, result: InvocationResult): Response | Promise<Response> {
  const { exchange, trace } = run;
  if (!result.ok) {
    const f = clientFailure(result, run.parts.mode);
    return fail(exchange, trace, f.status, f.message, f.details);
  }
  if (run.route.triggers.length === 0 && !hasTrigger(result.effects)) {
    trace.end("success");
    return outputResponse(exchange, result.output);
  }
  return succeedWithTriggers(run, result);
}

function bodyFailure(
  exchange: Exchange,
  trace: ActiveTrace,
  read: Exclude<BodyRead, { kind: "ok" | "empty" }>,
  parts: EngineParts,
): Response {
  switch (read.kind) {
    case "too_large":
      return fail(
        exchange,
        trace,
        413,
        `Request body exceeds ${parts.config.server.max_body_bytes} bytes`,
      );
    case "unreadable":
      return fail(exchange, trace, 400, `Failed to read body: ${read.message}`);
    case "invalid":
      return fail(exchange, trace, 400, read.message);
    case "too_deep":
      return fail(exchange, trace, 400, `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    case "unsupported_type":
      return fail(
        exchange,
        trace,
        415,
        read.type === undefined
          ? "A request body from a browser needs Content-Type: application/json"
          : `Content-Type "${read.type}" is not supported: send application/json`,
      );
  }
}

function fail(
  exchange: Exchange,
  trace: ActiveTrace,
  status: number,
  message: string,
  details?: unknown,
): Response {
  trace.end("failed", message);
  return exchange.error(status, message, details);
}

/** Publishes the call's events (D9: accepted before the answer is sent), then answers. */
async function succeedWithTriggers(
  run: ApiRun,
  result: Extract<InvocationResult, { ok: true }>,
): Promise<Response> {
  const { parts, route, exchange, trace } = run;
  let published;
  try {
    published = await publishTriggers(parts.publisher, {
      effects: result.effects,
      output: result.output,
      schemaTriggers: route.triggers,
    }, { source: `api:${route.api}`, traceId: trace.id, traceparent: trace.traceparent?.() });
  } catch (error) {
    if (error instanceof InvalidEventPayloadError) return refusedPayload(parts, error, run);
    // A broadcast to an endpoint the schema does not declare: the handler's bug, as above.
    if (error instanceof SocketTargetError) return fail(exchange, trace, 500, error.message);
    const message = `Failed to publish events: ${(error as Error).message ?? String(error)}`;
    trace.end("failed", message);
    return exchange.error(503, parts.mode === "dev" ? message : "Failed to publish events");
  }
  addTriggersStep(trace, `${route.api} triggers`, published);
  trace.end("success");
  return outputResponse(exchange, result.output);
}

/**
 * A payload the handler made does not match its event's type: a bug of the handler, so 500 (not
 * 503: retrying will not help), logged with the event, the field and where the payload came from.
 */
function refusedPayload(
  parts: EngineParts,
  error: InvalidEventPayloadError,
  { exchange, trace }: ApiRun,
): Response {
  parts.telemetry.log(invalidPayloadLog(error, { source: "engine:http", traceId: trace.id }));
  trace.end("failed", error.message);
  if (parts.mode !== "dev") return exchange.error(500, "Failed to publish events");
  return exchange.error(500, error.message, error.details);
}

function hasTrigger(effects: readonly Effect[]): boolean {
  for (let i = 0; i < effects.length; i++) {
    const kind = effects[i]!.kind;
    if (kind === "trigger" || kind === "cancel_event" || kind === "send" || kind === "broadcast") {
      return true;
    }
  }
  return false;
}

function outputResponse(exchange: Exchange, output: HandlerOutput): Response {
  if (output.kind === "response") {
    return new Response(
      output.body.byteLength === 0 ? null : output.body as Uint8Array<ArrayBuffer>,
      {
        status: output.status,
        headers: output.headers,
      },
    );
  }
  // The runtime's JSON text, when it has it, is the body as is (no parse and re-stringify).
  if (output.json !== undefined) return exchange.json(200, output.json);
  return exchange.json(200, JSON.stringify(output.value === undefined ? null : output.value));
}

function decorate(response: Response, exchange: Exchange): Response {
  const { request } = exchange;
  let out = response;
  if (response !== exchange.own) {
    if (response.status === 101) return response;
    try {
      out.headers.set(TRACE_HEADER, exchange.traceId);
    } catch {
      // Immutable headers (a fetched Response returned by a handler): copy it.
      out = new Response(response.body, response);
      out.headers.set(TRACE_HEADER, exchange.traceId);
    }
    if (exchange.cors) addCors(out.headers, request);
  }
  if (request.method === "HEAD" && out.body !== null) {
    return new Response(null, { status: out.status, headers: out.headers });
  }
  return out;
}

function addCors(headers: Headers, request: Request): void {
  headers.set("access-control-allow-origin", "*");
  headers.set("access-control-expose-headers", TRACE_HEADER);
  if (request.method === "OPTIONS") {
    headers.set("access-control-allow-methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    headers.set(
      "access-control-allow-headers",
      request.headers.get("access-control-request-headers") ?? "*",
    );
    headers.set("access-control-max-age", "600");
  }
}
