/**
 * `rohas dev` and `rohas start` without the printing: find the project, load the config, prepare
 * the app (parse, validate, codegen in dev, build), create the parts (adapter, event bus, runtime,
 * telemetry, scheduler), start the engine, listen, and in dev watch for edits (hot reload).
 *
 * @module
 */

import { adapterErrorLog } from "./_adapter_log.ts";
import { createAdapter } from "../adapters/mod.ts";
import { findProject, loadConfig } from "../project/mod.ts";
import type { RohasConfig } from "../project/config.ts";
import { createMetricsHandler, createTelemetry } from "../telemetry/mod.ts";
import type { Telemetry } from "../telemetry/model.ts";
import type { RecordingTelemetry } from "../telemetry/recorder.ts";
import { edgeCount, type EdgePool, federate, serveWithEdges } from "./edge/mod.ts";
import { API_PREFIX, createWorkbenchHandler } from "../workbench/mod.ts";
import type { Schema } from "../parser/mod.ts";
import { EventBus, retryPolicyOf } from "./events/mod.ts";
import { Scheduler } from "./cron/mod.ts";
import { createWorkerRuntime } from "./runtime/mod.ts";
import type { HandlerRuntime, SerializedError } from "./runtime/contract.ts";
import type { AppModel } from "./app_model.ts";
import { createCompositeRuntime } from "./composite_runtime.ts";
import { createEngine, type Engine, type ShutdownReport } from "./app.ts";
import type { CronScheduler } from "./cron_wiring.ts";
import type { Mount } from "./http_pipeline.ts";
import type { EngineMode } from "./parts.ts";
import { prepareApp, type PreparedApp, type PrepareFailure } from "./project_loader.ts";
import { ServeError } from "./errors.ts";
import { type ChangeBatch, type ProjectWatcher, watchProject } from "./_watcher.ts";

/** What happened while serving, for the CLI to print. */
export type ServeEvent =
  | { kind: "handler_reloaded"; file: string; ms: number; error: string | null }
  | { kind: "schema_reloaded"; routes: number; written: string[]; ms: number }
  | { kind: "reload_failed"; failure: PrepareFailure }
  | { kind: "worker_restarted"; profile: string; message: string }
  | { kind: "cron_skipped"; name: string; at: Date }
  | { kind: "cron_failed"; name: string; message: string };

/** Options of {@linkcode serveProject}. */
export interface ServeProjectOptions {
  /** A project directory, schema directory or `.ro` file. */
  path: string;
  /** The directory a relative `path` is resolved against. */
  cwd: string;
  /** `dev` (codegen, handler error messages shown) or `production`. */
  mode: EngineMode;
  /** Overrides `[server] port`; 0 picks a free port. */
  port?: number;
  /** Watch and hot-reload (dev). Default false. */
  watch?: boolean;
  /** Makes a cron scheduler. Default: engine/cron `Scheduler` (no overlapping runs). */
  createScheduler?: () => CronScheduler;
  /** Serve the workbench (`/_rohas/` app, `/api/workbench/*` API). Default false. */
  workbench?: boolean;
  /** Extra handlers, given the parts once they exist. */
  mounts?: (
    ctx: { config: RohasConfig; telemetry: Telemetry; bus: EventBus; root: string },
  ) => Mount[];
  /** Told about reloads, worker restarts and cron trouble. Default: events are dropped. */
  onEvent?: (event: ServeEvent) => void;
}

/** A served project. */
export interface ServedProject {
  /** The running engine. */
  engine: Engine;
  /** The loaded configuration, with `[server] port` overridden by the `port` option. */
  config: RohasConfig;
  /** The project directory (the one holding `config/`). */
  root: string;
  /** Where the server listens, such as `http://127.0.0.1:3000`. */
  url: string;
  /** The bound port (the real one when `port` was 0). */
  port: number;
  /** `[adapter] type`, such as `memory` or `nats`. */
  adapterType: string;
  /** `[telemetry] type`, such as `sqlite` or `prometheus`. */
  telemetryType: string;
  /** Edge processes serving the port (0: the main process serves it). */
  edges: number;
  /** The application model at start; {@linkcode Engine.model} follows reloads. */
  model: AppModel;
  /** Schema warnings found at start. */
  warnings: PreparedApp["warnings"];
  /** Resolves when the server stops. */
  finished: Promise<void>;
  /** Stops watching, drains and closes everything; says what it could not drain. */
  close(): Promise<ShutdownReport>;
}

/** Starts a project.
 *
 * @param options path, mode, port, watch
 * @returns the served project
 * @throws {ServeError} when the schema or handlers are broken
 */
export async function serveProject(options: ServeProjectOptions): Promise<ServedProject> {
  const location = await findProject(options.path, { cwd: options.cwd });
  const { config } = await loadConfig(location.root);
  if (options.port !== undefined) config.server.port = options.port;
  const prepared = await prepareApp({
    root: location.root,
    schemaDir: location.schemaDir,
    config,
    codegen: options.mode === "dev",
  });
  if (!prepared.ok) throw new ServeError(prepared);
  const runtime = createProjectRuntime(location.root, config, prepared.model, {
    onWorkerRestart: (profile, message) =>
      options.onEvent?.({ kind: "worker_restarted", profile, message }),
  });
  await startRuntime(runtime);
  const own = await createTelemetry(config.telemetry, {
    root: location.root,
    logLevel: config.log.level,
  });
  // Edges that keep their own telemetry are read through this (they start later, at listen).
  const edgeRef: { pool: EdgePool | null } = { pool: null };
  const telemetry = federate(own, () => edgeRef.pool);
  const adapter = await createAdapter(config.adapter, {
    projectRoot: location.root,
    service: config.project.name,
    onError: (error) => telemetry.log(adapterErrorLog(config.adapter.type, error)),
  });
  const bus = new EventBus(adapter, {
    retry: retryPolicyOf(config.adapter),
    onMetric: (s) => telemetry.metric(s),
  });
  await bus.start();
  const current = { schema: prepared.schema };
  let engineRef: Engine | null = null;
  const mounts = options.mounts?.({ config, telemetry, bus, root: location.root }) ?? [];
  if (config.telemetry.type === "prometheus") {
    mounts.push({ prefix: "/metrics", handler: createMetricsHandler(telemetry) });
  }
  if (options.workbench) {
    mounts.push(...workbenchMount({
      root: location.root,
      config,
      schema: () => current.schema,
      telemetry,
      bus,
      runCron: (name) => engineRef!.runCron(name),
      mode: options.mode,
    }));
  }
  const engine = createEngine({
    model: prepared.model,
    config,
    runtime,
    bus,
    telemetry,
    validators: prepared.validators,
    mode: options.mode,
    createScheduler: options.createScheduler ?? (() => defaultScheduler(options)),
    mounts,
  });
  engineRef = engine;
  await engine.start();
  const { server, addr, edges } = await listen(engine, {
    root: location.root,
    config,
    schema: prepared.schema,
    options,
    telemetry,
  });
  edgeRef.pool = edges;
  const watcher = options.watch
    ? watchProject({
      root: location.root,
      schemaDir: location.schemaDir,
      onBatch: (batch) => reload(batch, { engine, runtime, config, location, options, current }),
      onError: (error) => options.onEvent?.({ kind: "reload_failed", failure: failureOf(error) }),
    })
    : null;
  return served({
    engine,
    config,
    location,
    addr,
    server,
    watcher,
    edges,
    prepared,
    adapter,
    telemetryType: telemetry.type,
  });
}

/**
 * Listens on `[server] host:port`: through edge processes when `[server] workers` asks for them
 * (never while watching: hot reload swaps modules in the main isolate's Workers), else from this
 * isolate.
 */
async function listen(engine: Engine, ctx: {
  root: string;
  config: RohasConfig;
  schema: Schema;
  options: ServeProjectOptions;
  telemetry: RecordingTelemetry;
}): Promise<{ server: Deno.HttpServer<Deno.NetAddr>; addr: Deno.NetAddr; edges: EdgePool | null }> {
  const { options, telemetry } = ctx;
  const count = options.watch
    ? 0
    : edgeCount(ctx.config, engine.model(), { mode: options.mode, root: ctx.root });
  if (count === 0) {
    const listening = Promise.withResolvers<Deno.NetAddr>();
    const server = engine.serve({ onListen: (addr) => listening.resolve(addr) });
    return { server, addr: await listening.promise, edges: null };
  }
  const serving = await serveWithEdges({
    count,
    engine,
    root: ctx.root,
    config: ctx.config,
    schema: ctx.schema,
    mode: options.mode,
    ingest: (records) => telemetry.persist(records),
    onRestart: (slot, message) =>
      options.onEvent?.({ kind: "worker_restarted", profile: `edge ${slot}`, message }),
  });
  return { server: serving.internal, addr: serving.addr, edges: serving.edges };
}

function served(ctx: {
  engine: Engine;
  config: RohasConfig;
  location: { root: string };
  addr: Deno.NetAddr;
  server: Deno.HttpServer<Deno.NetAddr>;
  watcher: ProjectWatcher | null;
  edges: EdgePool | null;
  prepared: PreparedApp;
  adapter: { type: string };
  telemetryType: string;
}): ServedProject {
  const host = ctx.addr.hostname.includes(":") ? `[${ctx.addr.hostname}]` : ctx.addr.hostname;
  let closing: Promise<ShutdownReport> | null = null;
  return {
    engine: ctx.engine,
    config: ctx.config,
    root: ctx.location.root,
    url: `http://${host}:${ctx.addr.port}`,
    port: ctx.addr.port,
    adapterType: ctx.adapter.type,
    telemetryType: ctx.telemetryType,
    edges: ctx.edges?.count ?? 0,
    model: ctx.prepared.model,
    warnings: ctx.prepared.warnings,
    finished: ctx.server.finished,
    close() {
      closing ??= (async () => {
        await ctx.watcher?.close();
        await ctx.edges?.close(ctx.config.server.shutdown_timeout_ms);
        return await ctx.engine.close();
      })();
      return closing;
    },
  };
}

function defaultScheduler(options: ServeProjectOptions): Scheduler {
  const emit = options.onEvent ?? (() => {});
  return new Scheduler({
    onSkip: (name, at) => emit({ kind: "cron_skipped", name, at }),
    onError: (name, error) =>
      emit({ kind: "cron_failed", name, message: (error as Error).message ?? String(error) }),
  });
}

/** A project's runtime; `start()` loads what the project needs up front (libpython). */
export interface ProjectRuntime extends HandlerRuntime {
  /**
   * Starts the Python runtime now when the project has Python handlers.
   *
   * @throws {PythonLibraryNotFoundError} when libpython cannot be loaded (the message lists every
   * path tried), or another error when the interpreter cannot start
   */
  start(): Promise<void>;
}

/**
 * The runtime of a project: TypeScript handlers in permissioned Workers, plus the Python runtime,
 * loaded by `start()` when the model has Python handlers, else on first use.
 *
 * @param root the project root
 * @param config the resolved config
 * @param model the application model
 * @param options told about replaced Workers
 * @returns the composite runtime
 */
export function createProjectRuntime(
  root: string,
  config: RohasConfig,
  model: AppModel,
  options: { onWorkerRestart?: (profile: string, message: string) => void } = {},
): ProjectRuntime {
  const typescript = createWorkerRuntime({
    root,
    permissions: config.permissions,
    onWorkerRestart: (profile, error) => options.onWorkerRestart?.(profile, error.message),
  });
  // Always there, loaded on first use: a schema reload may add the first Python handler.
  const python = lazyPython(root, config);
  const composite = createCompositeRuntime({ typescript, python });
  return {
    invoke: (invocation) => composite.invoke(invocation),
    reload: (file) => composite.reload(file),
    close: () => composite.close(),
    start: async () => {
      if (usesPython(model)) await python.start();
    },
  };
}

/** Starts a project runtime; on failure closes it and throws a {@linkcode ServeError}.
 *
 * @param runtime the runtime
 * @throws {ServeError} with the start error's message (libpython not found lists every path tried)
 */
export async function startRuntime(runtime: ProjectRuntime): Promise<void> {
  try {
    await runtime.start();
  } catch (error) {
    await runtime.close();
    throw new ServeError(failureOf(error));
  }
}

function usesPython(model: AppModel): boolean {
  const refs = [
    ...model.routes.flatMap((r) => [r.handler, ...r.middlewares]),
    ...model.events.flatMap((e) => e.subscriptions.map((s) => s.handler)),
    ...model.schedules.map((s) => s.handler),
    ...model.sockets.flatMap((
      s,
    ) => [...s.onConnect, ...s.onMessage, ...s.onDisconnect, ...s.middlewares]),
  ];
  return refs.some((r) => r.language === "python");
}

/**
 * The Python runtime is loaded only when a project has Python handlers (it needs libpython). When
 * it cannot start, calls fail with the start error's message (invoke never rejects).
 */
function lazyPython(
  root: string,
  config: RohasConfig,
): HandlerRuntime & { start(): Promise<void> } {
  let runtime: Promise<HandlerRuntime> | null = null;
  const get = () =>
    runtime ??= import("./runtime/python/mod.ts").then((m) =>
      m.createPythonRuntime({ root, python: config.runtime.python })
    );
  return {
    start: async () => {
      await get();
    },
    invoke: async (invocation) => {
      const started = performance.now();
      try {
        return await (await get()).invoke(invocation);
      } catch (error) {
        return {
          ok: false,
          reason: "error",
          error: serializeStartError(error),
          effects: [],
          durationMs: performance.now() - started,
        };
      }
    },
    reload: async (file) => {
      // Not loaded yet: every module is imported fresh on the first call anyway.
      if (runtime === null) return null;
      try {
        return await (await get()).reload(file);
      } catch (error) {
        return serializeStartError(error);
      }
    },
    close: async () => {
      const started = await runtime?.catch(() => null);
      await started?.close();
    },
  };
}

function failureOf(error: unknown): PrepareFailure {
  return {
    ok: false,
    kind: "error",
    error: error instanceof Error ? error : new Error(String(error)),
  };
}

function serializeStartError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

function workbenchMount(
  options: Parameters<typeof createWorkbenchHandler>[0] & {
    bus: EventBus;
  },
): Mount[] {
  const { bus, ...rest } = options;
  const handler = createWorkbenchHandler({ ...rest, events: bus });
  // Only its own paths reach it, so API requests pay nothing for the workbench.
  return [{ prefix: API_PREFIX, handler }, { prefix: "/_rohas", handler }];
}

/**
 * The watcher ignores `src/generated/`, so after codegen rewrote generated Python modules the Python
 * runtime is told once: reloading one generated module drops them all, and handlers re-import them.
 */
async function reloadGeneratedPython(
  ctx: ReloadContext,
  written: readonly string[],
): Promise<void> {
  const generated = written.find((f) => f.startsWith("src/generated/") && f.endsWith(".py"));
  if (generated === undefined) return;
  const file = `${ctx.location.root}/${generated}`;
  const started = performance.now();
  const error = await ctx.runtime.reload(file);
  if (error) {
    ctx.options.onEvent?.({
      kind: "handler_reloaded",
      file,
      ms: performance.now() - started,
      error: error.message,
    });
  }
}

interface ReloadContext {
  current: { schema: Schema };
  engine: Engine;
  runtime: HandlerRuntime;
  config: RohasConfig;
  location: { root: string; schemaDir: string };
  options: ServeProjectOptions;
}

async function reload(batch: ChangeBatch, ctx: ReloadContext): Promise<void> {
  const emit = ctx.options.onEvent ?? (() => {});
  if (batch.schema) {
    const started = performance.now();
    const prepared = await prepareApp({ ...ctx.location, config: ctx.config, codegen: true });
    if (!prepared.ok) {
      emit({ kind: "reload_failed", failure: prepared });
    } else {
      await ctx.engine.swap(prepared.model, prepared.validators);
      ctx.current.schema = prepared.schema;
      await reloadGeneratedPython(ctx, prepared.written);
      emit({
        kind: "schema_reloaded",
        routes: prepared.model.routes.length,
        written: prepared.written,
        ms: performance.now() - started,
      });
    }
  }
  for (const file of batch.handlers) {
    const started = performance.now();
    const error = await ctx.runtime.reload(file);
    emit({
      kind: "handler_reloaded",
      file,
      ms: performance.now() - started,
      error: error ? error.message : null,
    });
  }
}
