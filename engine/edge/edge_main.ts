/**
 * The entry of an edge process: `deno run <permissions> --unstable-net edge_main.ts <control port>
 * <slot> <nonce>`. It connects to the main process's control listener, receives what to serve,
 * listens on the public port beside the other edges (`reusePort`), serves the API routes whose
 * handlers (and middlewares) run on the default permission profile through the in-process pipeline
 * in this very isolate, and forwards everything else to the main process. Events go to the main
 * process's bus, telemetry in batches. It exits when the control connection closes.
 *
 * @module
 */

import { relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { buildApp, type BuiltApp } from "../build.ts";
import type { Engine } from "../app.ts";
import { assemble } from "../assemble.ts";
import type { MatchedRoute, RequestInfo } from "../http_pipeline.ts";
import type { RouteSpec } from "../app_model.ts";
import type { PublishOptions } from "../parts.ts";
import { guardProcessExit } from "../runtime/mod.ts";
import { serializeError } from "../runtime/protocol.ts";
import { createForwardingStore } from "./_forwarding_store.ts";
import { createRecorder, type RecordingTelemetry } from "../../telemetry/recorder.ts";
import { createMemoryStore } from "../../telemetry/memory_store.ts";
import { OtelBridge } from "../../telemetry/otel.ts";
import type { Telemetry } from "../../telemetry/model.ts";
import { createProxy } from "./_proxy.ts";
import type { FromEdge, InitMessage, TelemetryRead, ToEdge, WireQuery } from "./protocol.ts";
import { LineChannel } from "./_channel.ts";
import { localRoutes } from "./_local.ts";
import { EdgeError } from "./errors.ts";
import { InvalidEventPayloadError } from "../events/mod.ts";

// Handler code is imported later; its Deno.exit() must fail its call, not drop every request here.
const exit = guardProcessExit();
const [controlPort, slot, nonce] = Deno.args;
const control = await connect(Number(controlPort));
const outbox = new LineChannel<ToEdge, FromEdge>(control, dispatch);
const publishes = new Map<number, PromiseWithResolvers<void>>();
let nextPublish = 1;
let serving: { server: Deno.HttpServer; telemetry: Telemetry; engine: Engine } | null = null;
/** The edge's own telemetry, when it keeps it (`local`): the main process reads it. */
let local: RecordingTelemetry | null = null;
let shutdownTimeoutMs = 10_000;

outbox.send({ type: "hello", slot: Number(slot), nonce: nonce ?? "" });
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
      const waiting = publishes.get(message.id);
      publishes.delete(message.id);
      if (message.refused) {
        const { event, payloadType, issues } = message.refused;
        // The same refusal the main process's pipeline would answer with (500, logged).
        waiting?.reject(
          InvalidEventPayloadError.ofPublish({ event, payloadType, details: issues }),
        );
      } else if (message.error) waiting?.reject(new EdgeError(message.error.message));
      else waiting?.resolve();
      return;
    }
    case "read":
      answer(message.read).then(
        (value) => outbox.send({ type: "answer", id: message.id, value }),
        (error) => outbox.send({ type: "answer", id: message.id, error: serializeError(error) }),
      );
      return;
    case "watch":
      watch(message.on);
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

/** The control connection; without it (the main process is gone) there is nothing to do. */
async function connect(port: number): Promise<Deno.TcpConn> {
  try {
    return await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return exit(1);
  }
}

function publish(topic: string, payload: unknown, options: PublishOptions): Promise<void> {
  const id = nextPublish++;
  const waiting = Promise.withResolvers<void>();
  publishes.set(id, waiting);
  outbox.send({ type: "publish", id, topic, payload, options });
  return waiting.promise;
}

async function init(message: InitMessage): Promise<void> {
  setInterval(() => outbox.send({ type: "beat" }), message.heartbeatMs);
  shutdownTimeoutMs = message.config.server.shutdown_timeout_ms;
  const modules = await importModules(message.root, message.files);
  const telemetry = keepTelemetry(message);
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
        subscribe: () => Promise.reject(new EdgeError("Edges do not consume events")),
      },
    },
    telemetry: { kind: "given", telemetry },
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
  const server = Deno.serve({
    hostname: message.listen.hostname,
    port: message.listen.port,
    reusePort: true,
    onListen: () => listening.resolve(),
    onError: (error) => {
      telemetry.log({
        timestamp: new Date().toISOString(),
        level: "error",
        target: "rohas::edge",
        message: `Request failed: ${(error as Error).message ?? String(error)}`,
        fields: {},
        span_fields: {},
      });
      return new Response(null, { status: 500 });
    },
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
function keepTelemetry(message: InitMessage): RecordingTelemetry {
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
    // Spans of this process's traces, exported by Deno itself when OTEL_DENO=true.
    otel: new OtelBridge(),
  });
  local = recorder;
  setInterval(() => outbox.send({ type: "series", series: recorder.metrics() }), 1_000);
  return recorder;
}

let unwatch: (() => void) | null = null;

/** Sends the edge's telemetry events while the main process has a live view open. */
function watch(on: boolean): void {
  unwatch?.();
  unwatch = null;
  if (!on || local === null) return;
  unwatch = local.subscribe((event) => outbox.send({ type: "events", events: [event] }));
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
    if (path === "/_rohas/health" || (cors && request.method === "OPTIONS")) {
      return engine.handler(request, info);
    }
    const match = built.router.match(request.method, path);
    if (match.kind === "found" && match.value.kind === "api" && local.has(match.value.route)) {
      // Handed over matched: the pipeline does not route it again.
      return engine.handler(request, new MatchedInfo(info, match.value.route, match.params));
    }
    return proxy(request, info);
  };
}

/** The serve info of a request the edge matched, with its match; the peer is read only if asked. */
class MatchedInfo implements RequestInfo {
  readonly #info: Deno.ServeHandlerInfo;
  readonly matched: MatchedRoute;

  constructor(info: Deno.ServeHandlerInfo, route: RouteSpec, params: Record<string, string>) {
    this.#info = info;
    this.matched = { route, params };
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
