/**
 * `[telemetry] type = "prometheus"`: metrics are exposed for scraping at `GET /metrics` in the
 * Prometheus text format; traces and logs (which Prometheus does not store) stay in memory.
 *
 * @module
 */

import { createMemoryStore, type MemoryStoreOptions } from "./memory_store.ts";
import type { ImmediateStore } from "./store.ts";

/** The content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Creates the store behind `prometheus`: an in-memory store reporting type `prometheus`.
 *
 * @param options capacities of the in-memory part
 * @returns the store
 */
export function createPrometheusStore(options: MemoryStoreOptions = {}): ImmediateStore {
  const inner = createMemoryStore(options);
  return {
    type: "prometheus",
    writeTraces: (t) => inner.writeTraces(t),
    writeLogs: (l) => inner.writeLogs(l),
    writeSamples: (s) => inner.writeSamples(s),
    keepTrace: (t) => inner.keepTrace(t),
    keepLog: (l) => inner.keepLog(l),
    keepSample: (s) => inner.keepSample(s),
    queryTraces: (q) => inner.queryTraces(q),
    getTrace: (id) => inner.getTrace(id),
    queryLogs: (q) => inner.queryLogs(q),
    querySamples: (q) => inner.querySamples(q),
    prune: (c) => inner.prune(c),
    close: () => inner.close(),
  };
}

/** Options of {@linkcode createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /** The path served. Default `/metrics`. */
  path?: string;
}

/**
 * A request handler answering `GET /metrics` (and HEAD) with the exposition text; `null` for
 * any other request, so the engine can try its own routes next.
 *
 * @param source what renders the exposition (a recording telemetry)
 * @param options the path
 * @returns the handler
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createMetricsHandler } from "./prometheus.ts";
 * const handler = createMetricsHandler({ exposition: () => "up 1\n" });
 * const response = await handler(new Request("http://127.0.0.1/metrics"));
 * assertEquals(response?.status, 200);
 * ```
 */
export function createMetricsHandler(
  source: { exposition(): string },
  options: MetricsHandlerOptions = {},
): (request: Request) => Promise<Response | null> {
  const path = options.path ?? "/metrics";
  return (request) => {
    const url = new URL(request.url);
    if (url.pathname !== path || (request.method !== "GET" && request.method !== "HEAD")) {
      return Promise.resolve(null);
    }
    const body = request.method === "HEAD" ? null : source.exposition();
    return Promise.resolve(
      new Response(body, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } }),
    );
  };
}
