/**
 * The HTTP pipeline (docs/design.md#d3-requests-and-validation): route, read and validate the body,
 * run middlewares in order, call the handler with a timeout, publish triggers before answering
 * (D9), and map every outcome to a status with a JSON error body. Testable without a socket: it is
 * a plain `(Request) => Promise<Response>`.
 *
 * @module
 */

import type { RouteSpec, SocketSpec } from "./app_model.ts";
import type { BuiltApp } from "./build.ts";
import type { EngineParts } from "./parts.ts";
import { Exchange } from "./_exchange.ts";
import { serveApi } from "./_api_request.ts";

export { hasOwnCors } from "./_exchange.ts";

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
      if (!(answer instanceof Promise)) return Promise.resolve(exchange.finish(answer));
      // The common API request (a JSON body) finishes its answer in its body read's `then`.
      if (exchange.settled) return answer;
      return answer.then(
        (response) => exchange.finish(response),
        (error) => exchange.finish(exchange.crash(error)),
      );
    } catch (error) {
      return Promise.resolve(exchange.finish(exchange.crash(error)));
    }
  };
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
