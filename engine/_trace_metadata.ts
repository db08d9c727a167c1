/**
 * Trace metadata of an API request, as the original records it (SPEC.md 3.2 step 2).
 *
 * @module
 */

import type { RequestInfo } from "./http_pipeline.ts";

/** Options of {@linkcode requestMetadata}. */
export interface RequestMetadataOptions {
  /** The peer; its host is `ip_address` when no proxy header names one. Default: unknown. */
  info?: RequestInfo | undefined;
  /** The clock for `datetime_utc`. Default: the system clock. */
  now?: () => Date;
}

/** Builds the metadata of a request trace.
 *
 * @param request the method and the headers (lower-case names)
 * @param pattern the route pattern
 * @param options the peer address and the clock
 * @returns string metadata
 */
export function requestMetadata(
  request: { method: string; headers: Record<string, string> },
  pattern: string,
  options: RequestMetadataOptions = {},
): Record<string, string> {
  const headers = request.headers;
  const h = { get: (name: string): string | undefined => headers[name] };
  const info = options.info;
  const peer = info?.remoteAddr && "hostname" in info.remoteAddr
    ? info.remoteAddr.hostname
    : undefined;
  const ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() ?? h.get("x-real-ip") ??
    h.get("cf-connecting-ip") ?? peer;
  const out: Record<string, string> = {
    method: request.method,
    path: pattern,
    datetime_utc: (options.now?.() ?? new Date()).toISOString(),
  };
  const put = (key: string, value: string | null | undefined) => {
    if (value) out[key] = value;
  };
  put("ip_address", ip);
  put("user_agent", h.get("user-agent"));
  put("country", h.get("cf-ipcountry"));
  put("city", h.get("cf-ipcity"));
  put("region", h.get("cf-region"));
  const city = h.get("cf-ipcity");
  const region = h.get("cf-region");
  if (city || region) out.location = `${city ?? ""}, ${region ?? ""}`;
  return out;
}
