/**
 * Trace metadata of an API request, as the original records it (docs/compatibility.md#requests).
 *
 * @module
 */

import { isoTime } from "../telemetry/mod.ts";
import type { RequestInfo } from "./http_pipeline.ts";

/** Options of {@linkcode requestMetadata}. */
export interface RequestMetadataOptions {
  /** The peer; its host is `ip_address` when no proxy header names one. Default: unknown. */
  info?: RequestInfo | undefined;
  /** When the request's trace started (ms since the epoch), its `datetime_utc`. Default: now. */
  startedMs?: number;
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
  // The peer's address is asked for only when no proxy header names the client: reading it is an
  // op on a served request.
  const ip = headers["x-forwarded-for"]?.split(",")[0]?.trim() ?? headers["x-real-ip"] ??
    headers["cf-connecting-ip"] ?? peerHost(options.info);
  const out: Record<string, string> = {
    method: request.method,
    path: pattern,
    datetime_utc: isoTime(options.startedMs),
  };
  if (ip) out.ip_address = ip;
  const agent = headers["user-agent"];
  if (agent) out.user_agent = agent;
  const country = headers["cf-ipcountry"];
  if (country) out.country = country;
  const city = headers["cf-ipcity"];
  if (city) out.city = city;
  const region = headers["cf-region"];
  if (region) out.region = region;
  if (city || region) out.location = `${city ?? ""}, ${region ?? ""}`;
  return out;
}

function peerHost(info: RequestInfo | undefined): string | undefined {
  const addr = info?.remoteAddr;
  return addr && "hostname" in addr ? addr.hostname : undefined;
}
