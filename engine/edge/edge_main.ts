/**
 * The entry of an edge process: `deno run <permissions> --unstable-net edge_main.ts`, with nothing
 * after it: the control port, the slot and the secret come on stdin (a {@linkcode LaunchMessage}),
 * read to the end before any handler code loads, so neither a local user (`ps`) nor handler code
 * (`Deno.args`, `Deno.stdin`) finds the secret. It connects to the main process's control listener,
 * proves it is the edge of its slot, receives what to serve,
 * listens on the public port beside the other edges (`reusePort`), serves the API routes whose
 * handlers (and middlewares) run on the default permission profile through the in-process pipeline
 * in this very isolate, and forwards everything else to the main process. Events go to the main
 * process's bus, telemetry in batches. It exits when the control connection closes.
 *
 * @module
 */

import { type LastingServer, serveLasting } from "../_lasting_server.ts";
import { relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { buildApp, type BuiltApp } from "../build.ts";
import type { Engine } from "../app.ts";
import { assemble } from "../assemble.ts";
import { hasOwnCors, type MatchedRoute, type RequestInfo } from "../http_pipeline.ts";
import type { RouteSpec } from "../app_model.ts";
import type { PublishOptions, SeriesItem, SeriesOutcome } from "../parts.ts";
import { setImmediate } from "node:timers";
import { guardProcessExit } from "../runtime/mod.ts";
import { serializeError } from "../runtime/protocol.ts";
import { createForwardingStore } from "./_forwarding_store.ts";
import { createRecorder, type RecordingTelemetry } from "../../telemetry/mod.ts";
import { createMemoryStore } from "../../telemetry/mod.ts";
import { openOtelBridge, type OtelBridge } from "../../telemetry/mod.ts";
import type { LogEntry, Telemetry } from "../../telemetry/mod.ts";
import { createProxy, forwardsMethod, forwardsPath } from "./_proxy.ts";
import { errorResponse } from "../_http_util.ts";
import type {
  FromEdge,
  InitMessage,
  LaunchMessage,
  PublishedMessage,
  PublishSeriesMessage,
  TelemetryRead,
  ToEdge,
  WireQuery,
} from "./protocol.ts";
import { LineChannel } from "./_channel.ts";
import { localRoutes } from "./_local.ts";
import { EdgeError } from "./errors.ts";
import { seriesToWire } from "./_series.ts";
import { InvalidEventPayloadError } from "../events/mod.ts";
import {
  createRemoteKvBackend,
  kvOver,
  type KvRequest,
  type KvResponse,
  reviveStateError,
} from "../../state/mod.ts";

/** The longest launch message read from stdin. */
const LAUNCH_MAX_BYTES = 4_096;
/** The longest line the main process sends (the init message of a large app). */
const MAIN_MAX_LINE = 1 << 28;

// Handler code is imported later; its Deno.exit() must fail its call, not drop every request here.
const exit = guardProcessExit();
const launch = await readLaunch();
const control = await connect(launch.port);
const outbox = new LineChannel<ToEdge, FromEdge>(control, dispatch, { maxLine: MAIN_MAX_LINE });
const publishes = new Map<number, PromiseWithResolvers<PublishedMessage>>();
let nextPublish = 1;
/**
 * How long a publish may wait for its answer: the main process answers within the handler
 * timeout, so a longer silence means the channel stalled.
 */
let publishTimeoutMs = 10_000;
/** The channel stalled: publishes fail at once while this edge drains and is replaced. */
let stalled = false;
let serving: { server: LastingServer; telemetry: Telemetry; engine: Engine } | null = null;
/** The edge's own telemetry, when it keeps it (`local`): the main process reads it. */
let local: RecordingTelemetry | null = null;
let shutdownTimeoutMs = 10_000;
/** `state.kv` operations waiting for the main process's answer. */
const kvWaiting = new Map<number, PromiseWithResolvers<KvResponse>>();
let lastKvId = 0;

outbox.send({ type: "hello", slot: launch.slot, secret: launch.secret });
// A signal to the whole process group (Ctrl-C, systemd) drains this edge like the main process's
// `drain` would, instead of dropping the requests in flight.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    drain(shutdownTimeoutMs).then(() => outbox.close()).then(() => exit(0));
  });
}
// Without the main process there is nothing to serve for: exit with it.
outbox.closed.then(() => exit(serving === null ? 1 : 0));

function dispatch(message: ToEdge): void {
  switch (message.type) {
    case "init":
      init(message).catch((error) =>
        outbox.send({ type: "listening", error: serializeError(error) })
      );
      return;
    case "published": {
      publishes.get(message.id)?.resolve(message);
      publishes.delete(message.id);
      return;
    }
    case "read":
      answer(message.read).then(
        (value) => outbox.send({ type: "answer", id: message.id, value }),
        (error) => outbox.send({ type: "answer", id: message.id, error: serializeError(error) }),
      );
      return;
    case "kv_answer": {
      const waiting = kvWaiting.get(message.id);
      kvWaiting.delete(message.id);
      if (message.error) waiting?.reject(reviveStateError(message.error));
      else waiting?.resolve(message.response!);
      return;
    }
    case "watch":
      watch(message.on, message.logsOnly === true);
      // Every event after this line reaches the main process's live views.
      if (message.on) outbox.send({ type: "watching" });
      return;
    case "drain":
      drain(message.timeoutMs).then(() => {
        outbox.send({ type: "drained" });
        return outbox.close();
      }).then(() => exit(0));
      return;
  }
}

/** Reads stdin to its end: the launch message. Anything else is no launch: exit. */
async function readLaunch(): Promise<LaunchMessage> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of Deno.stdin.readable) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length > LAUNCH_MAX_BYTES) exit(1);
  }
  try {
    const launch = JSON.parse(text) as LaunchMessage;
    if (typeof launch.secret === "string" && Number.isInteger(launch.port)) return launch;
  } catch {
    // Not a launch message.
  }
  return exit(1);
}

/** The control connection; without it (the main process is gone) there is nothing to do. */
async function connect(port: number): Promise<Deno.TcpConn> {
  try {
    return await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return exit(1);
  }
}

/**
 * Sends one `state.kv` operation to the main process, which owns the store. Like a publish, an
 * operation the main process does not answer in time means the channel stalled.
 */
function askKv(request: KvRequest): Promise<KvResponse> {
  if (stalled) return Promise.reject(new EdgeError("Cannot use state.kv: the edge is stalled"));
  const id = ++lastKvId;
  const waiting = Promise.withResolvers<KvResponse>();
  kvWaiting.set(id, waiting);
  outbox.send({ type: "kv", id, request });
  const timer = setTimeout(() => {
    stall(`Cannot use state.kv: the engine did not answer within ${publishTimeoutMs} ms`);
  }, publishTimeoutMs);
  return waiting.promise.finally(() => clearTimeout(timer));
}

async function publish(topic: string, payload: unknown, options: PublishOptions): Promise<void> {
  const answer = await ask(
    `"${topic}"`,
    1,
    (id) => outbox.send({ type: "publish", id, topic, payload, options }),
  );
  const error = publishError(answer);
  if (error !== undefined) throw error;
}

/**
 * A handler's triggers in one round trip: the main process publishes them in turn. A long series
 * goes in parts of {@linkcode SERIES_PART}, a turn apart: the main process publishes the first
 * while this edge encodes the next (10,000 triggers in one line: the first handler started about
 * 35 ms after the request, the time to encode, send and decode them all).
 */
async function publishSeries(items: readonly SeriesItem[]): Promise<SeriesOutcome> {
  const what = `${items.length} events`;
  const answer = await ask(what, items.length, (id) => {
    outbox.send(seriesPart(id, items, 0));
    if (items.length > SERIES_PART) sendRest(id, items);
  });
  const error = publishError(answer);
  return { accepted: answer.accepted ?? [], ...(error === undefined ? {} : { error }) };
}

/** Publications per part of a series. */
const SERIES_PART = 500;

/** The part of a series from `from` on. */
function seriesPart(id: number, items: readonly SeriesItem[], from: number): PublishSeriesMessage {
  const end = from + SERIES_PART;
  const part = seriesToWire(from === 0 && end >= items.length ? items : items.slice(from, end));
  return end < items.length
    ? { type: "publish_series", id, items: part, more: true }
    : { type: "publish_series", id, items: part };
}

/**
 * The parts of a series after the first, each in a turn of its own so the one before goes out
 * first. A part JSON cannot write (a cycle in a payload) abandons the rest: the main process
 * publishes nothing more of it, and the publish fails as a first part's would.
 */
async function sendRest(id: number, items: readonly SeriesItem[]): Promise<void> {
  for (let from = SERIES_PART; from < items.length; from += SERIES_PART) {
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = publishes.get(id);
    // Stalled meanwhile: every waiting publish failed already.
    if (waiting === undefined) return;
    try {
      outbox.send(seriesPart(id, items, from));
    } catch (error) {
      outbox.send({ type: "publish_series", id, items: [], abandoned: true });
      publishes.delete(id);
      waiting.reject(new EdgeError(`Cannot publish ${items.length} events`, { cause: error }));
      return;
    }
  }
}

/**
 * Sends a publish to the main process (`send`, given its id) and waits for its answer; a silence
 * longer than the main process's own timeout of each publication stalls the edge.
 */
function ask(
  what: string,
  count: number,
  send: (id: number) => void,
): Promise<PublishedMessage> {
  if (stalled) return Promise.reject(new EdgeError(`Cannot publish ${what}: the edge is stalled`));
  const id = nextPublish++;
  try {
    // Throws for a payload JSON cannot write (a cycle, nesting deeper than its stack).
    send(id);
  } catch (error) {
    return Promise.reject(new EdgeError(`Cannot publish ${what}`, { cause: error }));
  }
  const waiting = Promise.withResolvers<PublishedMessage>();
  publishes.set(id, waiting);
  const timeoutMs = publishTimeoutMs * count;
  const timer = setTimeout(() => {
    stall(`Cannot publish ${what}: the engine did not answer within ${timeoutMs} ms`);
  }, timeoutMs);
  return waiting.promise.finally(() => clearTimeout(timer));
}

/** The error a `published` answer carries, as the main process's pipeline would raise it. */
function publishError(answer: PublishedMessage): Error | undefined {
  if (answer.refused) {
    const { event, payloadType, issues } = answer.refused;
    // The same refusal the main process's pipeline would answer with (500, logged).
    return InvalidEventPayloadError.ofPublish({ event, payloadType, details: issues });
  }
  return answer.error ? new EdgeError(answer.error.message) : undefined;
}

/**
 * A publish or a `state.kv` operation got no answer in time: the channel to the main process
 * stalled. Every waiting publish and operation fails (its request gets a 5xx instead of hanging), then the edge drains and exits, and the main
 * process starts its successor.
 */
function stall(message: string): void {
  if (stalled) return;
  stalled = true;
  const error = new EdgeError(message);
  for (const waiting of publishes.values()) waiting.reject(error);
  publishes.clear();
  for (const waiting of kvWaiting.values()) waiting.reject(error);
  kvWaiting.clear();
  drain(shutdownTimeoutMs).then(() => outbox.close()).then(() => exit(1));
}

async function init(message: InitMessage): Promise<void> {
  setInterval(() => outbox.send({ type: "beat" }), message.heartbeatMs);
  shutdownTimeoutMs = message.config.server.shutdown_timeout_ms;
  publishTimeoutMs = message.config.server.handler_timeout_ms + 2_000;
  // Before handler code loads, as the rest of this process's own machinery.
  const otel = await openOtelBridge();
  const modules = await importModules(message.root, message.files);
  const telemetry = keepTelemetry(message, otel);
  const { engine } = await assemble({
    project: { kind: "prepared", root: message.root, schema: message.schema, model: message.model },
    config: message.config,
    mode: message.mode,
    runtime: {
      kind: "manifest",
      manifest: { root: pathToFileURL(`${message.root}/`).href, modules },
    },
    events: {
      kind: "bus",
      bus: {
        publish,
        publishSeries,
        subscribe: () => Promise.reject(new EdgeError("Edges do not consume events")),
      },
    },
    telemetry: { kind: "given", telemetry },
    // The main process owns the store: its handlers here ask it over the control connection.
    state: { kind: "given", kv: kvOver(createRemoteKvBackend(askKv)) },
    // The main process subscribes the event handlers and schedules the cron jobs.
    serveOnly: true,
  });
  const built = buildApp(message.model);
  const local = localRoutes(message.model, {
    routes: message.routes,
    imported: new Set(Object.keys(modules)),
  }, message.root);
  const handler = edgeHandler({
    built,
    local,
    engine,
    proxy: createProxy(message.internal),
    cors: message.config.server.enable_cors,
  });
  const listening = Promise.withResolvers<void>();
  const server = serveLasting({
    hostname: message.listen.hostname,
    port: message.listen.port,
    reusePort: true,
    onListen: () => listening.resolve(),
    onError: (error) => {
      telemetry.log(edgeLog(`Request failed: ${(error as Error).message ?? String(error)}`));
      return new Response(null, { status: 500 });
    },
    onAcceptError: (error, retryInMs) =>
      telemetry.log(
        edgeLog(`Cannot accept connections: ${String(error)}; listening again in ${retryInMs} ms`),
      ),
  }, handler);
  await listening.promise;
  serving = { server, telemetry, engine };
  outbox.send({ type: "listening" });
}

/** Imports the handler modules; one that fails is left to the main isolate (which reports it). */
async function importModules(
  root: string,
  files: readonly string[],
): Promise<Record<string, Record<string, unknown>>> {
  const modules: Record<string, Record<string, unknown>> = {};
  await Promise.all(files.map(async (file) => {
    try {
      const namespace = await import(pathToFileURL(file).href);
      modules[relative(root, file).split(sep).join("/")] = namespace;
    } catch {
      // Served through the main isolate's Worker runtime, which answers with the load error.
    }
  }));
  return modules;
}

/**
 * The edge's own recorder: over a memory store of its own (`local`), or over a store that sends its
 * batches to the main process (`forward`). Either way it counts the metrics where the requests are
 * served, and its live series go to the main process each second.
 */
function keepTelemetry(message: InitMessage, otel: OtelBridge | undefined): RecordingTelemetry {
  const config = message.config.telemetry;
  // The app's limits are shared among the edges. `max_cache_size`: each edge keeps its share, so
  // the federated reader sees as many traces as one process would, and an edge retains a third of
  // the objects (fewer survivors per scavenge; bench/telemetry_bench.ts: 284 vs 307 ns/request at
  // 333 vs 1000 traces). `max_persisted_per_second`: the main process is sent at most its share.
  const edges = Math.max(1, message.edges);
  const forward = message.telemetry === "forward";
  const store = forward
    ? createForwardingStore((records) => outbox.send(records))
    : createMemoryStore({ maxTraces: Math.ceil(config.max_cache_size / edges) });
  const recorder = createRecorder(store, {
    traces: config.enable_traces,
    logs: config.enable_logs,
    metrics: config.enable_metrics,
    // The main process applies retention to the project's store.
    retentionDays: forward ? 0 : config.retention_days,
    maxPersistedPerSecond: Math.ceil(config.max_persisted_per_second / edges),
    logLevel: message.config.log.level,
    // The main process resolved the id: its edges are the same instance.
    instance: message.config.server.instance_id,
    // Spans of this process's traces, exported by Deno itself when OTEL_DENO=true.
    ...(otel === undefined ? {} : { otel }),
  });
  local = recorder;
  setInterval(() => outbox.send({ type: "series", series: recorder.metrics() }), 1_000);
  return recorder;
}

let unwatch: (() => void) | null = null;

/** Sends the edge's telemetry events while the main process has a live view open. */
function watch(on: boolean, logsOnly: boolean): void {
  unwatch?.();
  unwatch = null;
  if (!on || local === null) return;
  // A trace per request would cost a message each way for a watcher that prints only logs (and
  // the recorder builds no record for a subscriber of logs only).
  unwatch = local.subscribe((event) => {
    if (logsOnly && event.kind !== "log") return;
    outbox.send({ type: "events", events: [event] });
  }, { logsOnly });
}

function answer(read: TelemetryRead): Promise<unknown> {
  if (local === null) return Promise.resolve(read.kind === "trace" ? undefined : []);
  switch (read.kind) {
    case "traces":
      return local.traces(dated(read.query));
    case "trace":
      return local.trace(read.id);
    case "logs":
      return local.logs(dated(read.query));
    case "samples":
      return local.samples(dated(read.query));
  }
}

/** A query with its `since`/`until` milliseconds as dates again. */
function dated(query: WireQuery): Record<string, unknown> {
  const out: Record<string, unknown> = { ...query };
  for (const key of ["since", "until"]) {
    if (typeof query[key] === "number") out[key] = new Date(query[key]);
  }
  return out;
}

interface EdgeHandlerOptions {
  built: BuiltApp;
  local: ReadonlySet<object>;
  engine: Engine;
  proxy: (request: Request, info?: RequestInfo) => Promise<Response>;
  cors: boolean;
}

function edgeHandler(options: EdgeHandlerOptions) {
  const { built, local, engine, proxy, cors } = options;
  return (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const url = request.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const query = url.indexOf("?", start);
    const path = query < 0 ? url.slice(start) : url.slice(start, query);
    const method = request.method;
    // A preflight the engine's CORS answers; the workbench answers its own (it checks origins).
    const preflight = cors && method === "OPTIONS" && !hasOwnCors(path);
    if (path === "/_rohas/health" || preflight) return engine.handler(request, info);
    const match = built.router.match(method, path);
    // Answered here: forwarded, fetch would normalize `/files/..` into another path.
    if (match.kind === "bad_path") return engine.handler(request, info);
    if (match.kind === "found" && match.value.kind === "api" && local.has(match.value.route)) {
      // Handed over matched: the pipeline does not route it again.
      return engine.handler(request, new MatchedInfo(info, match.value.route, match.params));
    }
    if (forwardsMethod(method) && forwardsPath(path)) return proxy(request, info);
    // `fetch` would send another method or path than the client's (`get`, `TRACE`, `/a/../b`).
    // When no route matches the request as it came, this edge's router answers as the main
    // process's would; a route of the main process under a path that is not canonical is refused
    // rather than served under the path `fetch` makes of it.
    if (match.kind !== "found") return engine.handler(request, info);
    const message = `Cannot forward ${method} ${path}: the path is not canonical`;
    return Promise.resolve(errorResponse(400, message, ""));
  };
}

/**
 * The serve info of a request the edge matched, and its match (one object for both); the peer is
 * read only if asked.
 */
class MatchedInfo implements RequestInfo, MatchedRoute {
  readonly #info: Deno.ServeHandlerInfo;
  readonly route: RouteSpec;
  readonly params: Record<string, string>;

  constructor(info: Deno.ServeHandlerInfo, route: RouteSpec, params: Record<string, string>) {
    this.#info = info;
    this.route = route;
    this.params = params;
  }

  get matched(): MatchedRoute {
    return this;
  }

  get remoteAddr(): Deno.Addr {
    return this.#info.remoteAddr;
  }
}

let draining: Promise<void> | null = null;

function drain(timeoutMs: number): Promise<void> {
  return draining ??= stopServing(timeoutMs);
}

async function stopServing(timeoutMs: number): Promise<void> {
  if (serving === null) return;
  const { server, telemetry } = serving;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    server.shutdown(),
    new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
  ]);
  clearTimeout(timer);
  await telemetry.close();
}

function edgeLog(message: string): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: "rohas::edge",
    message,
    fields: {},
    span_fields: {},
  };
}
