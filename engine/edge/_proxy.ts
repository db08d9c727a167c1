/**
 * What an edge does not serve itself goes to the main isolate's internal listener: plain HTTP as a
 * streamed `fetch`, WebSockets as an admission request (the main isolate runs the socket
 * middlewares and answers with a one-use ticket or the rejection) and then a piped connection.
 *
 * @module
 */

import { errorResponse, TRACE_HEADER } from "../_http_util.ts";
import type { RequestInfo } from "../http_pipeline.ts";
import { ADMIT_HEADER, TICKET_HEADER, TICKET_PARAM } from "../socket_hub.ts";
import { HOST_HEADER, INTERNAL_HEADER, PEER_HEADER } from "./protocol.ts";

/** The main isolate's internal listener. */
export interface InternalTarget {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Proves to the main isolate that a request comes from an edge. */
  token: string;
}

/** Headers that belong to one hop and are never forwarded. */
const HOP_HEADERS = [
  "connection",
  "keep-alive",
  "upgrade",
  "transfer-encoding",
  "accept-encoding",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
] as const;

/** Methods `fetch` writes in upper case whatever case they came in. */
const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
/** Methods `fetch` refuses to send, in any case. */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * Whether `fetch` sends a method as it came: not `TRACE` (refused) nor `get` (sent as `GET`). No
 * route has such a method, so the edge answers those requests itself, as the main process would.
 *
 * @param method the request's method, as the client wrote it
 * @returns false for methods forwarding would refuse or change
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { forwardsMethod } from "./_proxy.ts";
 * assertEquals(forwardsMethod("PATCH"), true);
 * assertEquals(forwardsMethod("get"), false);
 * ```
 */
export function forwardsMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === method ? !FORBIDDEN_METHODS.has(upper) : !NORMALIZED_METHODS.has(upper) &&
    !FORBIDDEN_METHODS.has(upper);
}

/**
 * Whether `fetch` sends a path as it came: URL parsing resolves dot segments (`/a/../b` is sent
 * as `/b`), turns `\\` into `/` and escapes some characters, so the main process would route
 * another path than the client's.
 *
 * @param path the request's path, as the client wrote it
 * @returns false when forwarding would change it
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { forwardsPath } from "./_proxy.ts";
 * assertEquals(forwardsPath("/users/7"), true);
 * assertEquals(forwardsPath("/users/.."), false);
 * ```
 */
export function forwardsPath(path: string): boolean {
  // Appended as the proxy appends it (a base URL would read `//x` as a host).
  return URL.parse(`http://edge${path}`)?.pathname === path;
}

/**
 * Creates the forwarder of one edge.
 *
 * @param target the internal listener
 * @returns a handler that forwards a request and answers with the main isolate's response
 */
export function createProxy(
  target: InternalTarget,
): (request: Request, info?: RequestInfo) => Promise<Response> {
  return (request, info) =>
    request.headers.get("upgrade")?.toLowerCase() === "websocket"
      ? proxySocket(target, request, info)
      : proxyHttp(target, request, info);
}

function forwardHeaders(target: InternalTarget, request: Request, info?: RequestInfo): Headers {
  const headers = new Headers(request.headers);
  for (const name of HOP_HEADERS) headers.delete(name);
  headers.set(INTERNAL_HEADER, target.token);
  headers.set(HOST_HEADER, hostOf(request.url));
  const peer = info?.remoteAddr;
  if (peer && "hostname" in peer) headers.set(PEER_HEADER, `${peer.hostname}:${peer.port}`);
  return headers;
}

/** The `host[:port]` of an absolute URL (Deno.serve builds it from the `Host` header). */
function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

function pathOf(url: string): string {
  return url.slice(url.indexOf("/", url.indexOf("//") + 2));
}

async function proxyHttp(
  target: InternalTarget,
  request: Request,
  info?: RequestInfo,
): Promise<Response> {
  const method = request.method;
  try {
    return await fetch(target.url + pathOf(request.url), {
      method,
      headers: forwardHeaders(target, request, info),
      body: method === "GET" || method === "HEAD" ? null : request.body,
      redirect: "manual",
    });
  } catch (error) {
    const message = `The engine is unavailable: ${(error as Error).message ?? String(error)}`;
    return errorResponse(502, message, "");
  }
}

async function proxySocket(
  target: InternalTarget,
  request: Request,
  info?: RequestInfo,
): Promise<Response> {
  const headers = forwardHeaders(target, request, info);
  headers.set(ADMIT_HEADER, "1");
  const path = pathOf(request.url);
  let admission: Response;
  try {
    admission = await fetch(target.url + path, { headers, redirect: "manual" });
  } catch (error) {
    return errorResponse(502, `The engine is unavailable: ${(error as Error).message}`, "");
  }
  const ticket = admission.headers.get(TICKET_HEADER);
  if (admission.status !== 204 || ticket === null) return admission;
  const traceId = admission.headers.get(TRACE_HEADER) ?? "";
  let upgraded: Deno.WebSocketUpgrade;
  try {
    upgraded = Deno.upgradeWebSocket(request);
  } catch (error) {
    return errorResponse(400, `Invalid WebSocket upgrade: ${(error as Error).message}`, traceId);
  }
  const separator = path.includes("?") ? "&" : "?";
  const upstreamUrl = `${target.url.replace(/^http/, "ws")}${path}${separator}${TICKET_PARAM}=${
    encodeURIComponent(ticket)
  }`;
  pipeSockets(upgraded.socket, new WebSocket(upstreamUrl));
  upgraded.response.headers.set(TRACE_HEADER, traceId);
  return upgraded.response;
}

/**
 * Relays frames both ways; a close on either side closes the other with the same code. Each side
 * keeps what arrives for the other until that one is open: the engine's welcome frame can come
 * back before the client's socket has opened.
 */
function pipeSockets(client: WebSocket, upstream: WebSocket): void {
  client.binaryType = "arraybuffer";
  upstream.binaryType = "arraybuffer";
  client.onmessage = relayTo(upstream);
  upstream.onmessage = relayTo(client);
  upstream.onclose = (event) => closeWith(client, event.code, event.reason);
  upstream.onerror = () => closeWith(client, 1011, "The engine closed the connection");
  client.onclose = (event) => closeWith(upstream, event.code, event.reason);
  client.onerror = () => closeWith(upstream, 1000, "");
}

/** A message listener sending each frame on to `target`, keeping them until it opens. */
function relayTo(target: WebSocket): (event: MessageEvent) => void {
  const early: (string | ArrayBuffer)[] = [];
  target.addEventListener("open", () => {
    for (const data of early.splice(0)) target.send(data);
  }, { once: true });
  return (event) => {
    if (target.readyState === WebSocket.OPEN) target.send(event.data);
    else if (target.readyState === WebSocket.CONNECTING) early.push(event.data);
  };
}

function closeWith(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return;
  try {
    socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  } catch {
    // A client-side socket may only send 1000 or 3000-4999.
    socket.close(1000, reason);
  }
}
