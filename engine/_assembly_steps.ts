/**
 * Steps 4 to 9 of the assembly (engine/assemble.ts): the shared state, the runtime, telemetry,
 * events, the mounts and the scheduler of the engine, listening. Each remembers in the cleanup stack what it started.
 *
 * @module
 */

import { relative, sep } from "node:path";
import { type AppModel, handlerRefsOf } from "./app_model.ts";
import { adapterErrorLog } from "./_adapter_log.ts";
import { createAdapter } from "../adapters/mod.ts";
import { createMetricsHandler, createRecorder, createTelemetry } from "../telemetry/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import type { RecordingTelemetry } from "../telemetry/mod.ts";
import { openOtelBridge } from "../telemetry/mod.ts";
import type { EdgePool } from "./edge/mod.ts";

/** The workbench's door, imported only by apps that serve it. */
export type WorkbenchModule = typeof import("../workbench/mod.ts");
import { EventBus, InvalidEventPayloadError, retryPolicyOf } from "./events/mod.ts";
import type { CronClaim } from "./cron/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";
import type { Engine } from "./app.ts";
import type { EventSubscriber } from "./event_wiring.ts";
import type { CronScheduler } from "./cron_wiring.ts";
import type { SocketRoute } from "./socket_fanout.ts";
import type { Mount } from "./http_pipeline.ts";
import type { Schema } from "../parser/mod.ts";
import type { WorkbenchEvents } from "../workbench/mod.ts";
import { EngineError, failureOf, ServeError } from "./errors.ts";
import { createNoopTelemetry } from "./_noop_telemetry.ts";
import type { CleanupStack } from "./_cleanup.ts";
import { hostBackend, hostKv, type KvHost, openStateBackend } from "../state/mod.ts";
import type { Kv } from "../state/mod.ts";
import { limitsSnapshot } from "./limits/mod.ts";
import type {
  AssembleOptions,
  Listening,
  Located,
  Prepared,
  ServeEvent,
} from "./assembly_options.ts";

/** The name the state step is remembered by: it outlives the engine that closes the runtime. */
export const STATE_STEP = "state";

/**
 * Step 4: the shared state (`state.kv`), before the runtime whose handlers use it. Only this
 * process holds the store's connection and credentials; Workers, edges and the Python host reach
 * it through the host's `answer`.
 */
export async function openSharedState(
  options: AssembleOptions,
  located: Located,
  cleanup: CleanupStack,
): Promise<KvHost> {
  const choice = options.state ?? { kind: "config" };
  if (choice.kind === "given") return hostKv(choice.kv);
  const section = choice.kind === "memory"
    ? { ...located.config.state, type: "memory" as const }
    : located.config.state;
  const backend = await openStateBackend(section, {
    root: located.root,
    namespace: located.config.project.name,
  });
  const host = hostBackend(backend);
  cleanup.push(STATE_STEP, () => host.close());
  return host;
}

/** Step 5: the handler runtime, started (libpython loads now when the project has Python). */
export async function startRuntime(
  options: AssembleOptions,
  located: Located,
  ctx: { prepared: Prepared; state: KvHost; cleanup: CleanupStack },
): Promise<HandlerRuntime> {
  const { prepared, state, cleanup } = ctx;
  const choice = options.runtime ?? { kind: "project" };
  switch (choice.kind) {
    case "manifest": {
      const runtime = createInProcessRuntime({ manifest: choice.manifest, kv: state.kv });
      cleanup.push("runtime", () => runtime.close());
      return runtime;
    }
    case "given":
      cleanup.push("runtime", () => choice.runtime.close());
      return choice.runtime;
    case "project": {
      // Workers and the Python host: loaded only by the entry points that run handlers by file.
      const { createProjectRuntime } = await import("./project_runtime.ts");
      const emit = emitter(options);
      const runtime = createProjectRuntime(located.root, located.config, prepared.model, {
        state,
        onWorkerRestart: (profile, message) => emit({ kind: "worker_restarted", profile, message }),
        onPythonRestart: (restart) => emit({ kind: "python_restarted", restart }),
        // Hot reload replaces Workers: ready ones make an edit of a shared module live sooner.
        spares: options.watch === true,
      });
      cleanup.push("runtime", () => runtime.close());
      try {
        await runtime.start();
      } catch (error) {
        throw new ServeError(failureOf(error));
      }
      return runtime;
    }
  }
}

/** Step 6 done: what the engine records through, and the recorder when the assembly made it. */
export interface OwnTelemetry {
  telemetry: Telemetry;
  /** The recorder, when the assembly made it (edges federate it, `/metrics` reads it). */
  recorder: RecordingTelemetry | null;
  type: string;
}

/** Step 6: telemetry. */
export async function openTelemetry(
  options: AssembleOptions,
  located: Located,
  cleanup: CleanupStack,
): Promise<OwnTelemetry> {
  const choice = options.telemetry ?? { kind: "config" };
  const section = located.config.telemetry;
  const instance = located.config.server.instance_id;
  const recorderOptions = { root: located.root, logLevel: located.config.log.level, instance };
  let own: OwnTelemetry;
  switch (choice.kind) {
    case "off":
      // The engine's own default: nothing recorded, nothing to close.
      return { telemetry: createNoopTelemetry(), recorder: null, type: "off" };
    case "given":
      own = { telemetry: choice.telemetry, recorder: null, type: "external" };
      break;
    case "config":
    case "memory": {
      const type = choice.kind === "memory" ? "memory" : section.type;
      const recorder = await createTelemetry({ ...section, type }, recorderOptions);
      own = { telemetry: recorder, recorder, type };
      break;
    }
    case "store": {
      const otel = await openOtelBridge();
      const recorder = createRecorder(choice.store, {
        traces: section.enable_traces,
        logs: section.enable_logs,
        metrics: section.enable_metrics,
        retentionDays: section.retention_days,
        maxPersistedPerSecond: section.max_persisted_per_second,
        logLevel: located.config.log.level,
        ...(otel === undefined ? {} : { otel }),
        instance,
      });
      own = { telemetry: recorder, recorder, type: "external" };
      break;
    }
  }
  const telemetry = own.telemetry;
  cleanup.push("telemetry", () => telemetry.close());
  return own;
}

/** Step 7 done: the bus the engine uses. */
export interface StartedEvents {
  bus: EventSubscriber & { close?(): Promise<void> };
  /** The event bus the assembly made; null for a given bus. */
  events: EventBus | null;
  type: string;
}

/** Step 7: the adapter and the event bus, started. */
export async function startEvents(
  options: AssembleOptions,
  located: Located,
  telemetry: Telemetry,
  cleanup: CleanupStack,
): Promise<StartedEvents> {
  const choice = options.events ?? { kind: "config" };
  if (choice.kind === "bus") {
    const bus = choice.bus;
    cleanup.push("bus", () => bus.close?.() ?? Promise.resolve());
    return { bus, events: null, type: "external" };
  }
  const config = located.config;
  const adapter = choice.kind === "adapter" ? choice.adapter : await createAdapter(
    choice.kind === "memory" ? { ...config.adapter, type: "memory" } : config.adapter,
    {
      projectRoot: located.root,
      service: config.project.name,
      onError: (error) => telemetry.log(adapterErrorLog(config.adapter.type, error)),
    },
  );
  const bus = new EventBus(adapter, {
    retry: retryPolicyOf(config.adapter),
    onMetric: (s) => telemetry.metric(s),
  });
  cleanup.push("bus", () => bus.close());
  await bus.start();
  return { bus, events: bus, type: adapter.type };
}

/**
 * Where the engine's WebSocket messages go (engine/socket_fanout.ts): an edge relays them to its
 * main process; an adapter that serves one instance (memory, rocksdb, denokv) keeps them in the
 * process; a broker fans them out to every instance.
 *
 * @param events the started events step
 * @param instanceId this instance's id (`instanceIdOf`)
 * @returns the engine's `sockets` option
 */
export function socketsOption(
  events: StartedEvents,
  instanceId: string,
): { route: SocketRoute; instanceId: string } {
  // An edge holds no connections: its id names none.
  if (events.type === "external") return { route: "relay", instanceId: "edge" };
  switch (events.type) {
    // One instance per store; the isolates of a Deno Deploy app (denokv) share broadcasts through
    // the hub's BroadcastChannel relay (deploy/broadcast_relay.ts), not the queue.
    case "memory":
    case "rocksdb":
    case "denokv":
      return { route: "local", instanceId };
    default:
      return { route: "broker", instanceId };
  }
}

/**
 * The engine's scheduler: the caller's, or engine/cron's, whose scheduled runs `claim` their tick
 * (once across instances) and whose trouble goes to `onEvent`. None for an app that only serves
 * (an edge): it never starts, so it never schedules, and it does not load the cron library.
 */
export async function schedulerOption(
  options: AssembleOptions,
  claim?: CronClaim,
): Promise<{ createScheduler?: () => CronScheduler }> {
  if (options.cron === false || options.serveOnly) return {};
  if (options.createScheduler) return { createScheduler: options.createScheduler };
  const { Scheduler } = await import("./cron/mod.ts");
  const emit = emitter(options);
  return {
    createScheduler: () =>
      new Scheduler({
        ...(claim ? { claim } : {}),
        onSkip: (name, at) => emit({ kind: "cron_skipped", name, at }),
        onError: (name, error) =>
          emit({ kind: "cron_failed", name, message: (error as Error).message ?? String(error) }),
      }),
  };
}

/** Step 8's mounts: the caller's, `/metrics` for a prometheus store, the workbench. */
export function mountsOf(options: AssembleOptions, ctx: {
  located: Located;
  telemetry: Telemetry;
  /** The recorder (federated with the edges'), when the assembly made it. */
  reader: RecordingTelemetry | null;
  bus: EventBus | null;
  current: { schema: Schema };
  engine: Engine;
  /** The shared state, where the flow limits keep their slots and budgets. */
  kv: Kv;
  /** The workbench module, loaded when the workbench is served. */
  workbench: WorkbenchModule | null;
}): Mount[] {
  const { located, engine, bus, current, telemetry, reader, workbench } = ctx;
  const mounts = options.mounts?.({
    config: located.config,
    telemetry,
    bus,
    root: located.root,
    engine,
  }) ?? [];
  if (reader && reader.type === "prometheus") {
    mounts.push({ prefix: "/metrics", handler: createMetricsHandler(reader) });
  }
  if (workbench) {
    if (reader === null || bus === null) {
      throw new EngineError(
        "Cannot serve the workbench: it reads the app's recorder and event bus, and this app was given its own",
      );
    }
    const handler = workbench.createWorkbenchHandler({
      root: located.root,
      config: located.config,
      schema: () => current.schema,
      telemetry: reader,
      events: workbenchEvents(bus),
      runCron: (name) => engine.runCron(name),
      handlerFiles: () => handlerFilesOf(engine.model(), located.root),
      limits: () => limitsSnapshot(ctx.kv, engine.model()),
      mode: options.mode,
    });
    // Only its own paths reach it, so API requests pay nothing for the workbench.
    mounts.push({ prefix: workbench.API_PREFIX, handler }, { prefix: "/_rohas", handler });
  }
  return mounts;
}

/** Handler files relative to the root, by `<kind>:<name>` as the workbench's graph names nodes. */
function handlerFilesOf(model: AppModel, root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const ref of handlerRefsOf(model)) {
    if (ref.file === "") continue;
    const kind = ref.kind.startsWith("ws_") ? "websocket" : ref.kind;
    files.set(`${kind}:${ref.name}`, relative(root, ref.file).split(sep).join("/"));
  }
  return files;
}

/** The bus as the workbench drives it, with the bus's payload refusals told apart as data. */
function workbenchEvents(bus: EventBus): WorkbenchEvents {
  return {
    publish: (topic, payload, options) => bus.publish(topic, payload, options),
    listDeadLetters: (topic) => bus.listDeadLetters(topic),
    replayDeadLetters: (topic, options) => bus.replayDeadLetters(topic, options),
    refusal: (error) =>
      error instanceof InvalidEventPayloadError
        ? { message: error.message, details: error.details }
        : null,
  };
}

/** Step 9 done: where the app listens, and the edges when they serve. */
export interface Listened {
  listening: Listening;
  pool: EdgePool | null;
}

/** Step 9: listening, from this process or through edges. */
export async function listen(options: AssembleOptions, ctx: {
  engine: Engine;
  located: Located;
  prepared: Prepared;
  telemetry: RecordingTelemetry | null;
  state: KvHost;
}): Promise<Listened | null> {
  const choice = options.listen ?? "none";
  if (choice === "none") return null;
  const { engine, located } = ctx;
  // Edge processes: loaded only by `rohas start`.
  const edges = choice === "edges" ? await import("./edge/mod.ts") : null;
  const count = edges
    ? edges.edgeCount(located.config, ctx.prepared.model, {
      mode: options.mode,
      root: located.root,
    })
    : 0;
  if (edges === null || count === 0) {
    const listening = Promise.withResolvers<Deno.NetAddr>();
    const server = engine.serve({ onListen: (addr) => listening.resolve(addr) });
    return { listening: listeningAt(await listening.promise, server, 0), pool: null };
  }
  const recorder = ctx.telemetry;
  if (recorder === null) {
    throw new EngineError(
      "Cannot serve through edges: their records reach the main process's recorder, and this app's telemetry is not one (give a store instead)",
    );
  }
  const emit = emitter(options);
  const serving = await edges.serveWithEdges({
    count,
    engine,
    root: located.root,
    config: located.config,
    schema: ctx.prepared.schema,
    mode: options.mode,
    ingest: (records) => recorder.persist(records),
    kv: ctx.state,
    onRestart: (slot, message) =>
      emit({ kind: "worker_restarted", profile: `edge ${slot}`, message }),
  });
  return {
    listening: listeningAt(serving.addr, serving.internal, serving.edges.count),
    pool: serving.edges,
  };
}

function listeningAt(
  addr: Deno.NetAddr,
  server: { finished: Promise<void> },
  edges: number,
): Listening {
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return { url: `http://${host}:${addr.port}`, port: addr.port, edges, finished: server.finished };
}

/** Where the assembly tells what happens (reloads, restarts, cron trouble).
 *
 * @param options the assembly's options
 * @returns `onEvent`, or a sink that drops events
 */
export function emitter(options: AssembleOptions): (event: ServeEvent) => void {
  return options.onEvent ?? (() => {});
}
