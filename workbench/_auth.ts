/**
 * Workbench access (docs/compatibility.md#workbench-access with its fixes): first the `Host` must
 * be one the workbench answers to (`localhost`, an IP literal, `[server] host` or `[workbench]
 * allowed_hosts`), so a page whose DNS name was rebound to 127.0.0.1 gets 403 and "same origin" is
 * derived from a trusted `Host` only; then the key from `Authorization: Bearer|ApiKey` or
 * `X-API-Key`, compared in constant time; loopback peers need no key in dev, but then only without
 * a foreign `Origin` (so a web page cannot drive a developer's local workbench); an `Origin` outside
 * `allowed_origins` (and not the workbench's own) gets 403; `allowed_origins` drives the CORS
 * headers of these routes.
 *
 * @module
 */

/** What decides access. */
export interface AccessPolicy {
  /** The expected key; `""` means none is configured. */
  apiKey: string;
  allowedOrigins: readonly string[];
  /** Host names allowed besides `localhost` and IP literals: `name` (any port) or `name:port`. */
  allowedHosts: readonly string[];
  /** Dev lets loopback peers in without a key. */
  dev: boolean;
}

/** Who asks: the peer's address (when known) and the `Host` it sent. */
export interface Client {
  /** The peer's address, when the server knows it. */
  peer: string | undefined;
  /** The `Host` the client sent, `name[:port]`. */
  host: string;
}

/** The outcome of an access check. */
export type AccessDecision =
  | { ok: true }
  | { ok: false; status: 401 | 403; message: string };

/** Whether two strings are equal, in time that depends only on their lengths.
 *
 * @param a one string
 * @param b the other
 * @returns true when equal
 */
export function constantTimeEquals(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The key a request carries, or `""`.
 *
 * @param headers the request headers
 * @returns the provided key
 */
export function providedKey(headers: Headers): string {
  const auth = headers.get("authorization") ?? "";
  const match = /^(Bearer|ApiKey)\s+(.+)$/i.exec(auth.trim());
  if (match) return match[2]!.trim();
  return headers.get("x-api-key")?.trim() ?? "";
}

/** Whether a peer address is loopback.
 *
 * @param hostname the peer's address
 * @returns true for 127.0.0.0/8 and ::1
 */
export function isLoopback(hostname: string | undefined): boolean {
  if (!hostname) return false;
  const h = hostname.replace(/^\[|\]$/g, "").replace(/^::ffff:/i, "");
  return h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Whether a `Host` value names the workbench: `localhost`, an IP literal (a DNS-rebinding page
 * always sends its own DNS name, never an address), or an allowed name. Any port goes with
 * `localhost` and IP literals: the name is what a rebinding page cannot forge, and a local dev
 * proxy on another port keeps working.
 *
 * @param host the `Host` header (`name[:port]`)
 * @param allowed configured `name` (any port) or `name:port` entries
 * @returns true when the workbench may answer
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { isAllowedHost } from "./_auth.ts";
 * assertEquals(isAllowedHost("localhost:3000", []), true);
 * assertEquals(isAllowedHost("evil.test:3000", []), false);
 * ```
 */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  const value = host.trim().toLowerCase();
  const name = hostName(value);
  if (name === "") return false;
  if (name === "localhost" || name.startsWith("[") || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    return true;
  }
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === value || (hostName(e) === e && e === name);
  });
}

/** The name part of `name[:port]` (an IPv6 literal keeps its brackets). */
function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

/** Decides whether a request may use the workbench.
 *
 * @param request the request
 * @param client the peer's address and the `Host` it sent
 * @param policy key, origins, hosts, mode
 * @returns allowed, or the status and message to answer
 */
export function checkAccess(
  request: Request,
  client: Client,
  policy: AccessPolicy,
): AccessDecision {
  const { peer, host } = client;
  if (!isAllowedHost(host, policy.allowedHosts)) {
    return {
      ok: false,
      status: 403,
      message: `Host "${host}" is not allowed: add it to [workbench] allowed_hosts`,
    };
  }
  const origin = request.headers.get("origin") ?? "";
  // The Host is trusted now, so the workbench's own origin may be derived from it.
  const sameOrigin = origin !== "" && origin === `${new URL(request.url).protocol}//${host}`;
  const listed = origin !== "" && policy.allowedOrigins.includes(origin);
  if (origin !== "" && !sameOrigin && policy.allowedOrigins.length > 0 && !listed) {
    return { ok: false, status: 403, message: `Origin "${origin}" is not allowed` };
  }
  const key = providedKey(request.headers);
  if (policy.apiKey !== "" && key !== "" && constantTimeEquals(key, policy.apiKey)) {
    return { ok: true };
  }
  if (policy.dev && isLoopback(peer)) {
    if (origin === "" || sameOrigin || listed) return { ok: true };
    return { ok: false, status: 403, message: `Origin "${origin}" is not allowed` };
  }
  return {
    ok: false,
    status: 401,
    message: policy.apiKey === ""
      ? "The workbench needs an API key: set [workbench] api_key or ROHAS_WORKBENCH_API_KEY"
      : "Invalid or missing workbench API key",
  };
}

/** Adds CORS headers for an allowed cross-origin request.
 *
 * @param headers the response headers to extend
 * @param request the request
 * @param allowedOrigins the configured list
 */
export function addCorsHeaders(
  headers: Headers,
  request: Request,
  allowedOrigins: readonly string[],
): void {
  const origin = request.headers.get("origin");
  if (!origin || !allowedOrigins.includes(origin)) return;
  headers.set("access-control-allow-origin", origin);
  headers.append("vary", "Origin");
  headers.set("access-control-allow-headers", "Authorization, X-API-Key, Content-Type");
  headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
}
