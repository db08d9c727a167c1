/**
 * The HTTP pipeline (DESIGN.md D3): route, read and validate the body, run middlewares in order,
 * call the handler with a timeout, publish triggers before answering (D9), and map every outcome to
 * a status with a JSON error body. Testable without a socket: it is a plain
 * `(Request) => Promise<Response>`.
 *
 * @module
 */

import type { ActiveTrace } from "../telemetry/model.ts";
import type { RouteSpec, SocketSpec } from "./app_model.ts";
import type { BuiltApp } from "./build.ts";
import type { HandlerOutput, InvocationResult } from "./runtime/contract.ts";
import type { EngineParts } from "./parts.ts";
import {
  errorResponse,
  headersRecord,
  jsonResponse,
  jsonTextResponse,
  parseJson,
  parseQuery,
  queryBody,
  readBody,
  sortIssues,
  splitUrl,
  TRACE_HEADER,
} from "./_http_util.ts";
import { addTriggersStep, invokeHandler } from "./_invoke.ts";
import { clientFailure } from "./_failure.ts";
import { type MiddlewareOutcome, runMiddlewares } from "./_middlewares.ts";
import { publishTriggers } from "./triggers.ts";
import { requestMetadata } from "./_trace_metadata.ts";

/** Where the peer is, when the server knows it. */
export interface RequestInfo {
  remoteAddr?: { hostname: string; port: number } | Deno.Addr;
}

/** Serves requests that are not API routes (WebSocket upgrades, workbench, ...). */
export type RequestHandler = (request: Request, info?: RequestInfo) => Promise<Response>;

/** A handler tried before the API routes; it answers `null` for requests it does not serve. */
export interface Mount {
  /** Only paths starting with this reach the handler, such as `/api/workbench/`. */
  prefix: string;
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

/** Builds the request handler.
 *
 * @param options the app, the parts, optional sockets and mounts
 * @returns `(request) => Promise<Response>`; it never rejects
 */
export function createHttpHandler(options: HttpPipelineOptions): RequestHandler {
  return async (request, info) => {
    let response: Response;
    let traceId: string = crypto.randomUUID();
    try {
      const out = await route(options, request, info, traceId);
      response = out.response;
      traceId = out.traceId;
    } catch (error) {
      // Never a crash because of one request; this is an engine defect, reported as such.
      const message = options.parts.mode === "dev" ? String(error) : "Internal server error";
      response = errorResponse(500, message, traceId);
    }
    return decorate(response, request, options.parts, traceId);
  };
}

async function route(
  options: HttpPipelineOptions,
  request: Request,
  info: RequestInfo | undefined,
  traceId: string,
): Promise<{ response: Response; traceId: string }> {
  const url = splitUrl(request.url);
  const builtin = builtinRoute(options, request, url, traceId);
  if (builtin) return { response: builtin, traceId };
  for (const mount of options.mounts ?? []) {
    if (!url.pathname.startsWith(mount.prefix)) continue;
    const response = await mount.handler(request, info);
    if (response) return { response, traceId };
  }
  const app = options.current();
  const match = app.router.match(request.method, url.pathname);
  switch (match.kind) {
    case "not_found":
      return {
        response: errorResponse(404, `No route for ${request.method} ${url.pathname}`, traceId),
        traceId,
      };
    case "bad_path":
      return { response: errorResponse(400, match.reason, traceId), traceId };
    case "method_not_allowed": {
      const response = errorResponse(405, `Method ${request.method} not allowed`, traceId);
      response.headers.set("allow", match.allow.join(", "));
      return { response, traceId };
    }
    case "found": {
      const ep = match.value;
      if (ep.kind === "socket") {
        if (!options.sockets) {
          return {
            response: errorResponse(400, "WebSockets are not served here", traceId),
            traceId,
          };
        }
        return {
          response: await options.sockets(request, { socket: ep.socket, traceId }),
          traceId,
        };
      }
      return serveApi(options.parts, ep.route, { request, url, info, params: match.params });
    }
  }
}

function builtinRoute(
  options: HttpPipelineOptions,
  request: Request,
  url: { pathname: string },
  traceId: string,
): Response | null {
  if (request.method === "OPTIONS" && options.parts.config.server.enable_cors) {
    return new Response(null, { status: 204 });
  }
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  if (url.pathname === "/_rohas/health") return jsonResponse(200, { status: "ok" });
  if (url.pathname === "/_rohas/ready") {
    const ready = options.ready?.() ?? true;
    return ready
      ? jsonResponse(200, { status: "ready" })
      : errorResponse(503, "Not ready", traceId);
  }
  return null;
}

interface ApiCall {
  request: Request;
  url: { pathname: string; search: string };
  info: RequestInfo | undefined;
  params: Record<string, string>;
}

async function serveApi(
  parts: EngineParts,
  route: RouteSpec,
  call: ApiCall,
): Promise<{ response: Response; traceId: string }> {
  const headers = headersRecord(call.request.headers);
  const trace = parts.telemetry.startTrace({
    entryPoint: route.api,
    entryType: "api",
    metadata: requestMetadata({ method: call.request.method, headers }, route.pattern, call.info),
  });
  let response: Response;
  try {
    response = await runApi(parts, route, { ...call, headers }, trace);
  } catch (error) {
    trace.end("failed", String(error));
    throw error;
  }
  return { response, traceId: trace.id };
}

async function runApi(
  parts: EngineParts,
  route: RouteSpec,
  call: ApiCall & { headers: Record<string, string> },
  trace: ActiveTrace,
): Promise<Response> {
  const fail = (status: number, message: string, details?: unknown): Response => {
    trace.end("failed", message);
    return errorResponse(status, message, trace.id, details);
  };
  let payload: unknown = undefined;
  const query = parseQuery(call.url.search);
  if (route.queryFields !== null) {
    payload = queryBody(query, route.queryFields);
  } else if (route.bodyType !== null) {
    const read = await readBody(call.request, parts.config.server.max_body_bytes);
    if (read.kind === "too_large") {
      return fail(413, `Request body exceeds ${parts.config.server.max_body_bytes} bytes`);
    }
    if (read.kind === "unreadable") return fail(400, `Failed to read body: ${read.message}`);
    const json = parseJson(read.bytes);
    if (json.kind === "invalid") return fail(400, json.message);
    payload = json.kind === "ok" ? json.value : undefined;
  }
  const headers = call.headers;
  // No middlewares: no extra awaits on the hot path.
  const mw: MiddlewareOutcome = route.middlewares.length === 0
    ? { kind: "passed", payload: payload ?? null, queryParams: query }
    : await runMiddlewares(parts, {
      middlewares: route.middlewares,
      context: {
        payload: payload ?? null,
        queryParams: query,
        headers,
        apiName: route.api,
        traceId: trace.id,
      },
      trace,
    });
  if (mw.kind === "rejected") return fail(mw.status, mw.message, mw.details);
  if (route.bodyType !== null) {
    const issues = validate(parts, route.bodyType, mw.payload);
    if (issues) return fail(422, `Request body does not match "${route.bodyType}"`, issues);
  }
  const request: Record<string, unknown> = {
    ...call.params,
    ...(route.bodyType !== null ? { body: mw.payload } : {}),
    queryParams: mw.queryParams,
    headers,
  };
  const result = await invokeHandler(parts, {
    handler: route.handler,
    input: { kind: "api", request },
    trace,
  });
  if (!result.ok) {
    const f = clientFailure(result, parts.mode);
    return fail(f.status, f.message, f.details);
  }
  return await succeed(parts, route, result, trace);
}

function validate(parts: EngineParts, type: string, value: unknown) {
  const validator = parts.validators.get(type);
  if (!validator) return null;
  if (value === undefined) return [{ path: "", message: "Request body is required" }];
  const issues = validator(value);
  return issues.length === 0 ? null : sortIssues(issues);
}

async function succeed(
  parts: EngineParts,
  route: RouteSpec,
  result: Extract<InvocationResult, { ok: true }>,
  trace: ActiveTrace,
): Promise<Response> {
  if (route.triggers.length === 0 && !result.effects.some((e) => e.kind === "trigger")) {
    trace.end("success");
    return outputResponse(result.output);
  }
  let published;
  try {
    published = await publishTriggers(parts.publisher, {
      effects: result.effects,
      output: result.output,
      schemaTriggers: route.triggers,
    }, { source: `api:${route.api}`, traceId: trace.id });
  } catch (error) {
    const message = `Failed to publish events: ${(error as Error).message ?? String(error)}`;
    trace.end("failed", message);
    return errorResponse(
      503,
      parts.mode === "dev" ? message : "Failed to publish events",
      trace.id,
    );
  }
  addTriggersStep(trace, `${route.api} triggers`, published);
  trace.end("success");
  return outputResponse(result.output);
}

function outputResponse(output: HandlerOutput): Response {
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
  if (output.json !== undefined) return jsonTextResponse(200, output.json);
  return jsonResponse(200, output.value === undefined ? null : output.value);
}

function decorate(
  response: Response,
  request: Request,
  parts: EngineParts,
  traceId: string,
): Response {
  if (response.status === 101) return response;
  let out = response;
  try {
    out.headers.set(TRACE_HEADER, traceId);
  } catch {
    // Immutable headers (a fetched Response returned by a handler): copy it.
    out = new Response(response.body, response);
    out.headers.set(TRACE_HEADER, traceId);
  }
  if (parts.config.server.enable_cors) addCors(out.headers, request);
  if (request.method === "HEAD" && out.body !== null) {
    return new Response(null, { status: out.status, headers: out.headers });
  }
  return out;
}

function addCors(headers: Headers, request: Request): void {
  headers.set("access-control-allow-origin", request.headers.get("origin") ?? "*");
  headers.append("vary", "Origin");
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
