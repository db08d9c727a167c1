/**
 * One HTTP request and how the pipeline answers it (see http_pipeline.ts): its trace id, its path,
 * whether the engine's CORS applies, the JSON answers it builds with those headers, and the last
 * touches every answer gets (the trace id and CORS on a foreign response, no body for HEAD).
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
  /**
   * Whether the promise the pipeline returned for this request already answers finished (see
   * {@linkcode Exchange.settle}): then nothing waits for it again to finish it.
   */
  settled = false;
  readonly #dev: boolean;

  constructor(request: Request, traceId: string, parts: EngineParts) {
    this.request = request;
    this.traceId = traceId;
    this.url = splitUrl(request.url);
    this.cors = parts.config.server.enable_cors && !hasOwnCors(this.url.pathname);
    this.#dev = parts.mode === "dev";
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

  /**
   * The answer as it goes out: a response the pipeline did not build itself (a handler's, a
   * mount's) gets the trace id and CORS headers, and a HEAD answer no body.
   */
  finish(response: Response): Response {
    const { request } = this;
    let out = response;
    if (response !== this.own) {
      if (response.status === 101) return response;
      try {
        out.headers.set(TRACE_HEADER, this.traceId);
      } catch {
        // Immutable headers (a fetched Response returned by a handler): copy it.
        out = new Response(response.body, response);
        out.headers.set(TRACE_HEADER, this.traceId);
      }
      if (this.cors) addCors(out.headers, request);
    }
    if (request.method === "HEAD" && out.body !== null) {
      return new Response(null, { status: out.status, headers: out.headers });
    }
    return out;
  }

  /** Never a crash because of one request: an engine defect, answered and reported as such. */
  crash(error: unknown): Response {
    this.trace?.end("failed", String(error));
    return this.error(500, this.#dev ? String(error) : "Internal server error");
  }

  /**
   * Finishes an answer that may still be under way, a rejection answered with a 500: the end of a
   * `then` callback of the pipeline, so that its promise answers finished and never rejects (one
   * promise and one turn fewer per request than finishing it in a `then` of its own). The callback
   * answers a throw of its own with `finish(crash(error))`; see {@linkcode Exchange.settled}.
   *
   * @param answer the answer, or a promise of it
   * @returns the answer, finished; a promise of it when one was waited for
   */
  settle(answer: Response | Promise<Response>): Response | Promise<Response> {
    if (!(answer instanceof Promise)) return this.finish(answer);
    return answer.then((r) => this.finish(r), (error) => this.finish(this.crash(error)));
  }
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
