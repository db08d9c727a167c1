/**
 * Middlewares in declared order (docs/compatibility.md#middlewares with the fixes): each may pass,
 * modify the payload and/or the query params, or reject with the status of the `HttpError` it threw
 * (any other throw is 500, a timeout 504).
 *
 * @module
 */

import type { ActiveTrace } from "../telemetry/mod.ts";
import type { HandlerRef, MiddlewareContext } from "./runtime/contract.ts";
import type { EngineParts } from "./parts.ts";
import { invokeHandler } from "./_invoke.ts";
import { clientFailure } from "./_failure.ts";

/** The outcome of the middleware chain. */
export type MiddlewareOutcome =
  | { kind: "passed"; payload: unknown; queryParams: Record<string, string | string[]> }
  | { kind: "rejected"; status: number; message: string; details?: unknown };

/** Runs middlewares in order, stopping at the first rejection.
 *
 * @param parts the engine parts
 * @param chain the middlewares, the initial context and the trace
 * @returns the final payload and query, or the rejection
 */
export async function runMiddlewares(
  parts: EngineParts,
  chain: { middlewares: HandlerRef[]; context: MiddlewareContext; trace: ActiveTrace },
): Promise<MiddlewareOutcome> {
  let { payload, queryParams } = chain.context;
  for (const handler of chain.middlewares) {
    const result = await invokeHandler(parts, {
      handler,
      input: { kind: "middleware", context: { ...chain.context, payload, queryParams } },
      trace: chain.trace,
      stepName: `middleware:${handler.name}`,
    });
    if (!result.ok) return { kind: "rejected", ...clientFailure(result, parts.mode) };
    const value = result.output.kind === "json" ? result.output.value : null;
    if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
    if (Object.hasOwn(value, "payload")) payload = (value as { payload: unknown }).payload;
    if (Object.hasOwn(value, "queryParams")) {
      queryParams = stringQuery((value as { queryParams: unknown }).queryParams);
    }
  }
  return { kind: "passed", payload, queryParams };
}

function stringQuery(value: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (value === null || typeof value !== "object") return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}
