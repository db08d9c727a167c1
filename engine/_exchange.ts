/**
 * One HTTP request and how the pipeline answers it (see http_pipeline.ts): its trace id, its path,
 * whether the engine's CORS applies, and the JSON answers it builds with those headers.
 *
 * @module
 */

import type { ActiveTrace } from "../telemetry/mod.ts";
import type { EngineParts } from "./parts.ts";
import { errorBody, JSON_TYPE, splitUrl, TRACE_HEADER } from "./_http_util.ts";

/** The init headers of every JSON answer. */
const JSON_HEADERS = { "content-type": JSON_TYPE } as const;

/** Paths whose answers the engine's CORS leaves alone (the workbench applies `allowed_origins`). */
const OWN_CORS_PREFIXES = ["/api/workbench/", "/_rohas/"] as const;

/**
 * One request and how the pipeline answers it: its trace id, and the headers every answer the
 * pipeline builds itself carries from the start (trace id, CORS), so only foreign responses (a
 * handler's `Response`, mounts, upgrades) need headers set afterwards.
 */
export class Exchange {
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
