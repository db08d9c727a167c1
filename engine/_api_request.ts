/**
 * An API request through the pipeline (docs/design.md#d3-requests-and-validation), once routed:
 * its headers, trace, body, middlewares, validation, handler call and answer, with its triggers
 * published before it (D9).
 *
 * @module
 */

import type { ActiveTrace } from "../telemetry/mod.ts";
import type { RouteSpec } from "./app_model.ts";
import type { Effect, HandlerOutput, InvocationResult } from "./runtime/contract.ts";
import type { EngineParts } from "./parts.ts";
import {
  bodyPlan,
  headersRecord,
  isJsonBodyType,
  type JsonBodyRead,
  jsonFailure,
  parseQuery,
  queryBody,
  readJsonBody,
  validateValue,
} from "./_http_util.ts";
import { addTriggersStep, invokeHandler } from "./_invoke.ts";
import { SocketTargetError } from "./socket_fanout.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../_json_depth.ts";
import { clientFailure } from "./_failure.ts";
import { type MiddlewareOutcome, runMiddlewares } from "./_middlewares.ts";
import { invalidPayloadLog, publishTriggers } from "./triggers.ts";
import { InvalidEventPayloadError } from "./events/mod.ts";
import { requestMetadata } from "./_trace_metadata.ts";
import type { Exchange } from "./_exchange.ts";
import type { RequestInfo } from "./http_pipeline.ts";

/** The metadata of a request trace when traces are off. */
const NO_METADATA: Record<string, string> = Object.freeze({});

/** An API request matched to its route: the exchange, the serve info, the path params. */
export interface ApiCall {
  exchange: Exchange;
  info: RequestInfo | undefined;
  params: Record<string, string>;
}

/**
 * Serves an API request: its headers read once, its trace started, then its body, middlewares,
 * validation, handler and answer (D3, D9).
 *
 * @param parts the runtime, telemetry and config
 * @param route the matched route
 * @param call the exchange, the serve info and the path params
 * @returns the answer; without a promise when nothing was waited for
 */
export function serveApi(
  parts: EngineParts,
  route: RouteSpec,
  call: ApiCall,
): Response | Promise<Response> {
  const { exchange } = call;
  // The request's headers are read once, here: one record for the trace metadata, the body
  // limit, the middlewares and the handler (each header lookup on a served request is an op).
  const headers = headersRecord(exchange.request.headers);
  const trace = parts.config.telemetry.enable_traces
    ? startApiTrace(parts, route, { exchange, headers, info: call.info })
    // With traces off the recorder keeps no trace: its metadata is not worth a clock read.
    : parts.telemetry.startTrace({
      id: exchange.traceId,
      entryPoint: route.api,
      entryType: "api",
      metadata: NO_METADATA,
    });
  exchange.traceId = trace.id;
  exchange.trace = trace;
  const run: ApiRun = {
    parts,
    route,
    exchange,
    params: call.params,
    headers,
    trace,
    query: parseQuery(exchange.url.search),
  };
  return runApi(run);
}

/** Starts a recorded API trace: one clock read for its start and its metadata's `datetime_utc`. */
function startApiTrace(
  parts: EngineParts,
  route: RouteSpec,
  request: { exchange: Exchange; headers: Record<string, string>; info: RequestInfo | undefined },
): ActiveTrace {
  const { exchange, headers, info } = request;
  const startedMs = Date.now();
  const method = exchange.request.method;
  const metadata = () => requestMetadata({ method, headers }, route.pattern, { info, startedMs });
  const telemetry = parts.telemetry;
  const id = exchange.traceId;
  // Under load most traces are counted, not kept: what only a kept trace needs (the peer address,
  // the client's headers, the ISO start) is gathered when the recorder keeps or reads it. Each
  // call's options are one literal (no spread of a shared part: a copy per request).
  if (telemetry.lazyMetadata !== true) {
    return telemetry.startTrace({
      id,
      entryPoint: route.api,
      entryType: "api",
      startedMs,
      metadata: metadata(),
    });
  }
  return telemetry.startTrace({
    id,
    entryPoint: route.api,
    entryType: "api",
    startedMs,
    // The route's own `{ method, path }` when the request's method is the route's (HEAD may be
    // answered by a GET route): no object per request.
    metadata: method === route.method && route.traceKey !== undefined
      ? route.traceKey
      : { method, path: route.pattern },
    lazyMetadata: metadata,
  });
}

/**
 * One API request under way, from its body to its answer. Each step takes it alone and answers
 * without a promise when nothing was waited for: an `async` function costs every request its
 * promise and frame (about 400 bytes each, measured), so only the body read and a handler that did
 * not answer at once go through `then`.
 */
interface ApiRun {
  parts: EngineParts;
  route: RouteSpec;
  exchange: Exchange;
  params: Record<string, string>;
  headers: Record<string, string>;
  trace: ActiveTrace;
  /** The query params; the middlewares may replace them. */
  query: Record<string, string | string[]>;
}

function runApi(run: ApiRun): Response | Promise<Response> {
  const { route } = run;
  if (route.queryFields !== null) return afterBody(run, queryBody(run.query, route.queryFields));
  if (route.bodyType === null) return afterBody(run, null);
  const request = run.exchange.request;
  const limit = run.parts.config.server.max_body_bytes;
  const length = run.headers["content-length"];
  const plan = bodyPlan({ method: request.method, length, limit });
  if (plan !== "empty" && !isJsonBodyType(run.headers)) {
    return unsupportedType(request, run.headers["content-type"]).then((read) =>
      bodyRead(run, read)
    );
  }
  if (plan !== "json") {
    return readJsonBody(request, { limit, length }).then((r) => bodyRead(run, r));
  }
  // The common case: a body of declared length, read with `request.json()` (see readJsonBody).
  // Its `then` also finishes the answer: the pipeline does not wait for it once more.
  const bytes = Number(length);
  run.exchange.settled = true;
  return request.json().then(
    (value) => settledJson(run, value, bytes),
    (error) => settledFailure(run, error),
  );
}

/** The rest of a request once `request.json()` read its body, the answer finished. */
function settledJson(run: ApiRun, value: unknown, bytes: number): Response | Promise<Response> {
  try {
    return run.exchange.settle(jsonBody(run, value, bytes));
  } catch (error) {
    return run.exchange.finish(run.exchange.crash(error));
  }
}

/** The answer to a body `request.json()` could not read, finished. */
function settledFailure(run: ApiRun, error: unknown): Response | Promise<Response> {
  try {
    return run.exchange.settle(bodyRead(run, jsonFailure(error)));
  } catch (thrown) {
    return run.exchange.finish(run.exchange.crash(thrown));
  }
}

/** A JSON body as the pipeline reads it: also refused for its content type or its depth. */
type BodyRead = JsonBodyRead | { kind: "unsupported_type"; type: string | undefined } | {
  kind: "too_deep";
};

/**
 * Refuses a body whose content type is not JSON (see `isJsonBodyType`: a form or `text/plain` a
 * page may post cross-site without a preflight is never parsed), dropping it unread.
 */
async function unsupportedType(request: Request, type: string | undefined): Promise<BodyRead> {
  await request.body?.cancel().catch(() => {});
  return { kind: "unsupported_type", type };
}

/** Goes on with a body read, or refuses it. */
function bodyRead(run: ApiRun, read: BodyRead): Response | Promise<Response> {
  if (read.kind === "empty") return afterBody(run, null);
  if (read.kind !== "ok") return bodyFailure(run.exchange, run.trace, read, run.parts);
  return jsonBody(run, read.value);
}

/**
 * Goes on with a parsed JSON body at most {@linkcode MAX_JSON_DEPTH} levels deep, or refuses it.
 * The common case (`request.json()`) comes here directly, without a read result object.
 */
function jsonBody(run: ApiRun, value: unknown, bytes?: number): Response | Promise<Response> {
  if (exceedsJsonDepth(value, { limit: MAX_JSON_DEPTH, bytes })) {
    return bodyFailure(run.exchange, run.trace, { kind: "too_deep" }, run.parts);
  }
  return afterBody(run, value);
}

/** After the body: the middlewares (when the route has any), validation, the handler. */
function afterBody(run: ApiRun, payload: unknown): Response | Promise<Response> {
  // No middlewares: nothing to wait for on the hot path.
  return run.route.middlewares.length > 0 ? afterMiddlewares(run, payload) : invoke(run, payload);
}

async function afterMiddlewares(run: ApiRun, payload: unknown): Promise<Response> {
  const { route, trace } = run;
  const mw: MiddlewareOutcome = await runMiddlewares(run.parts, {
    middlewares: route.middlewares,
    context: {
      payload,
      queryParams: run.query,
      headers: run.headers,
      apiName: route.api,
      traceId: trace.id,
    },
    trace,
  });
  if (mw.kind === "rejected") return fail(run.exchange, trace, mw.status, mw.message, mw.details);
  run.query = mw.queryParams;
  return await invoke(run, mw.payload);
}

/** Validates the payload and calls the handler with the request it receives. */
function invoke(run: ApiRun, payload: unknown): Response | Promise<Response> {
  const { parts, route, trace } = run;
  const issues = validateValue(payload, {
    validators: parts.validators,
    type: route.bodyType,
    unknownFields: parts.config.server.unknown_fields,
  });
  if (issues) {
    return fail(
      run.exchange,
      trace,
      422,
      `Request body does not match "${route.bodyType}"`,
      issues,
    );
  }
  // Read here, not in invokeHandler: the end of a handler that answered at once (this plus its
  // duration) is the trace's.
  const started = Date.now();
  const answer = invokeHandler(parts, {
    handler: route.handler,
    input: { kind: "api", request: handlerRequest(run, payload) },
    trace,
    startedMs: started,
  });
  // A handler that answered at once (in process) is not waited for: no turn of the event loop.
  // One that answers later (another isolate, a promise) ends its trace when its answer arrives.
  if (answer instanceof Promise) return answer.then((result) => answerWith(run, result));
  return answerWith(run, answer, started);
}

/**
 * The request a handler receives: its path params, then its body (when the route has a body type),
 * query params and headers, in that order. A route without params (most) gets one literal: the
 * spread of an empty object and three keys added one by one cost each request its transitions.
 *
 * @param run the route, its path params, query params and headers
 * @param payload the validated body
 * @returns the handler's request
 * @example
 * ```ts ignore
 * handlerRequest({ route, params: {}, query: {}, headers: {} }, { name: "Ann" });
 * // { body: { name: "Ann" }, queryParams: {}, headers: {} }
 * ```
 */
export function handlerRequest(
  run: Pick<ApiRun, "params" | "query" | "headers"> & {
    route: Pick<RouteSpec, "params" | "bodyType">;
  },
  payload: unknown,
): Record<string, unknown> {
  const { route, query, headers } = run;
  if (route.params.length === 0) {
    return route.bodyType !== null
      ? { body: payload, queryParams: query, headers }
      : { queryParams: query, headers };
  }
  const request: Record<string, unknown> = { ...run.params };
  if (route.bodyType !== null) request.body = payload;
  request.queryParams = query;
  request.headers = headers;
  return request;
}

/**
 * The answer to a handler's result: its failure, its output, or its events published first. A
 * success with nothing to publish from a handler that answered at once (`started`: when it was
 * called) ends its trace at the handler's end, `started` plus its duration to the millisecond as
 * the clock reads it: one clock read fewer per request.
 */
function answerWith(
  run: ApiRun,
  result: InvocationResult,
  started?: number,
): Response | Promise<Response> {
  const { exchange, trace } = run;
  if (!result.ok) {
    const f = clientFailure(result, run.parts.mode);
    return fail(exchange, trace, f.status, f.message, f.details);
  }
  if (run.route.triggers.length === 0 && !hasTrigger(result.effects)) {
    const ended = started === undefined ? undefined : Math.floor(started + result.durationMs);
    trace.end("success", undefined, ended);
    return outputResponse(exchange, result.output);
  }
  return succeedWithTriggers(run, result);
}

function bodyFailure(
  exchange: Exchange,
  trace: ActiveTrace,
  read: Exclude<BodyRead, { kind: "ok" | "empty" }>,
  parts: EngineParts,
): Response {
  switch (read.kind) {
    case "too_large":
      return fail(
        exchange,
        trace,
        413,
        `Request body exceeds ${parts.config.server.max_body_bytes} bytes`,
      );
    case "unreadable":
      return fail(exchange, trace, 400, `Failed to read body: ${read.message}`);
    case "invalid":
      return fail(exchange, trace, 400, read.message);
    case "too_deep":
      return fail(exchange, trace, 400, `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    case "unsupported_type":
      return fail(
        exchange,
        trace,
        415,
        read.type === undefined
          ? "A request body from a browser needs Content-Type: application/json"
          : `Content-Type "${read.type}" is not supported: send application/json`,
      );
  }
}

function fail(
  exchange: Exchange,
  trace: ActiveTrace,
  status: number,
  message: string,
  details?: unknown,
): Response {
  trace.end("failed", message);
  return exchange.error(status, message, details);
}

/** Publishes the call's events (D9: accepted before the answer is sent), then answers. */
async function succeedWithTriggers(
  run: ApiRun,
  result: Extract<InvocationResult, { ok: true }>,
): Promise<Response> {
  const { parts, route, exchange, trace } = run;
  let published;
  try {
    published = await publishTriggers(parts.publisher, {
      effects: result.effects,
      output: result.output,
      schemaTriggers: route.triggers,
    }, { source: `api:${route.api}`, traceId: trace.id, traceparent: trace.traceparent?.() });
  } catch (error) {
    if (error instanceof InvalidEventPayloadError) return refusedPayload(parts, error, run);
    // A broadcast to an endpoint the schema does not declare: the handler's bug, as above.
    if (error instanceof SocketTargetError) return fail(exchange, trace, 500, error.message);
    const message = `Failed to publish events: ${(error as Error).message ?? String(error)}`;
    trace.end("failed", message);
    return exchange.error(503, parts.mode === "dev" ? message : "Failed to publish events");
  }
  addTriggersStep(trace, `${route.api} triggers`, published);
  trace.end("success");
  return outputResponse(exchange, result.output);
}

/**
 * A payload the handler made does not match its event's type: a bug of the handler, so 500 (not
 * 503: retrying will not help), logged with the event, the field and where the payload came from.
 */
function refusedPayload(
  parts: EngineParts,
  error: InvalidEventPayloadError,
  { exchange, trace }: ApiRun,
): Response {
  parts.telemetry.log(invalidPayloadLog(error, { source: "engine:http", traceId: trace.id }));
  trace.end("failed", error.message);
  if (parts.mode !== "dev") return exchange.error(500, "Failed to publish events");
  return exchange.error(500, error.message, error.details);
}

function hasTrigger(effects: readonly Effect[]): boolean {
  for (let i = 0; i < effects.length; i++) {
    const kind = effects[i]!.kind;
    if (kind === "trigger" || kind === "cancel_event" || kind === "send" || kind === "broadcast") {
      return true;
    }
  }
  return false;
}

function outputResponse(exchange: Exchange, output: HandlerOutput): Response {
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
  if (output.json !== undefined) return exchange.json(200, output.json);
  return exchange.json(200, JSON.stringify(output.value === undefined ? null : output.value));
}
