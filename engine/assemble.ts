/**
 * The one start-up flow: every entry point (`rohas dev`, `rohas start`, an edge process,
 * {@linkcode createApp}, `rohas cron run`) builds its running app here, and what tells them apart
 * is an option of {@linkcode assemble}, all of them visible in {@linkcode AssembleOptions}.
 *
 * The steps, in order; each part is remembered as it starts, and when a later step throws, what
 * started is closed newest first before the error is rethrown:
 *
 * 1. locate the project (a path, a root, or a model the main process built);
 * 2. load the config (unless given) and apply the port override;
 * 3. prepare: parse, check (parse and validation diagnostics together), codegen when asked, build
 *    the model and the validators;
 * 4. the shared state (`state.kv`: the backend `[state]` names, memory, or a given store), which
 *    only this process opens (Workers, edges and the Python host ask it over their channels);
 * 5. the handler runtime (Workers and Python by file, or an embedded manifest, or given), started;
 * 6. telemetry (the config's store, memory, a given store, a given telemetry, or off);
 * 7. events (the config's adapter, the embedded memory adapter, a given adapter, or a given bus),
 *    started;
 * 8. the engine, with its mounts (the caller's, `/metrics` for a prometheus store, the workbench),
 *    started (events subscribed, cron scheduled) unless it only serves; from here on the engine
 *    owns and closes steps 5-7;
 * 9. listening (none, this process, or edge processes);
 * 10. watching for edits (hot reload).
 *
 * `close()` undoes them newest first: the watcher, the edges, then the engine (which drains the
 * server and closes the scheduler, subscriptions, bus, runtime and telemetry in that order), then
 * the shared state, which handlers use until the runtime is closed.
 *
 * What each entry point chooses (everything else is the same):
 *
 * | entry point            | project    | codegen | state  | runtime  | events | telemetry      | cron | listen  |
 * | ---------------------- | ---------- | ------- | ------ | -------- | ------ | -------------- | ---- | ------- |
 * | `rohas dev`            | `path`     | yes     | config | project  | config | config         | yes  | main, watch |
 * | `rohas start`          | `path`     | no      | config | project  | config | config         | yes  | edges   |
 * | edge process           | `prepared` | no      | given (asks the main process) | manifest | bus | given | no (serve only) | its own |
 * | `createApp`            | `root`     | no      | memory, config or given | manifest | config or given adapter | memory, config or given store | yes | none |
 * | `rohas cron run`       | `path`     | yes     | config | project  | memory | off            | no   | none    |
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { compileValidators } from "../codegen/validators.ts";
import type { EdgePool } from "./edge/mod.ts";
import { createEngine, type Engine, type ShutdownReport } from "./app.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";
import type { Schema } from "../parser/mod.ts";
import { unenforcedFlowControls } from "./_flow_support.ts";
import { failureOf, ServeError } from "./errors.ts";
import { CleanupStack } from "./_cleanup.ts";
import { DelayedEvents } from "./delayed/mod.ts";
import type { HeldDeadLetter } from "./_held_failure.ts";
import type { Kv } from "../state/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import { announceInstance, instanceState } from "./_cluster_step.ts";
import { instanceIdOf, kvCronClaim } from "./cluster/mod.ts";
import {
  emitter,
  listen,
  mountsOf,
  openSharedState,
  openTelemetry,
  schedulerOption,
  socketsOption,
  startEvents,
  startRuntime,
  STATE_STEP,
  type WorkbenchModule,
} from "./_assembly_steps.ts";
import type { AssembleOptions, Assembly, Located, Prepared } from "./assembly_options.ts";

export type {
  AssembleOptions,
  Assembly,
  EventsChoice,
  ListenChoice,
  Listening,
  MountContext,
  ProjectSource,
  RuntimeChoice,
  ServeEvent,
  StateChoice,
  TelemetryChoice,
} from "./assembly_options.ts";

/**
 * Builds and starts an app; when a step throws, closes what had started (newest first) and
 * rethrows.
 *
 * @param options the project, the mode and the overrides
 * @returns the running app
 * @throws {ServeError} when the schema has errors, a handler is missing or the runtime cannot start
 * @throws {StartupCleanupError} when a step threw and closing what had started failed too
 * @example A project served from this isolate on the embedded adapters (it needs a project's generated manifest, so it is not run as a documentation test)
 * ```ts ignore
 * import { assemble } from "./assemble.ts";
 * import { manifest } from "./src/generated/manifest.ts";
 * const app = await assemble({
 *   project: { kind: "root", root: manifest.root },
 *   mode: "production",
 *   runtime: { kind: "manifest", manifest },
 *   telemetry: { kind: "memory" },
 *   listen: "main",
 * });
 * await app.close();
 * ```
 */
export async function assemble(options: AssembleOptions): Promise<Assembly> {
  const cleanup = new CleanupStack();
  try {
    return await startSteps(options, cleanup);
  } catch (error) {
    return await cleanup.abort(error);
  }
}

async function startSteps(options: AssembleOptions, cleanup: CleanupStack): Promise<Assembly> {
  // What only some entry points need is imported only when asked for: an in-process app loads
  // neither the workbench, nor edges, nor Workers, nor the watcher.
  const workbench = options.workbench ? await import("../workbench/mod.ts") : null;
  const located = await locate(options, workbench);
  const prepared = await prepare(options, located);
  const instanceId = located.config.server.instance_id;
  const state = await openSharedState(options, located, cleanup);
  // Instances coordinate (cron claims, presence) through the store handlers see as `state.kv`: one
  // opening of `[state]` serves both.
  const kv = instanceState(options, state.kv);
  const runtime = await startRuntime(options, located, { prepared, state, cleanup });
  const own = await openTelemetry(options, located, cleanup);
  const events = await startEvents(options, located, own.telemetry, cleanup);
  if (kv) {
    await announceInstance(options, {
      kv,
      instanceId,
      adapter: events.type,
      telemetry: own.telemetry,
      cleanup,
    });
  }
  // Edges start after the engine (they reach its internal listener); reads include them then.
  let pool: EdgePool | null = null;
  const reader = own.recorder && options.listen === "edges"
    ? (await import("./edge/mod.ts")).federate(own.recorder, () => pool)
    : own.recorder;
  const telemetry = reader ?? own.telemetry;
  const current = { schema: prepared.schema };
  const delayed = delayedEventsOf(located, {
    kv: state.kv,
    telemetry,
    publish: () => engine,
    deadLetter: events.bus.deadLetter?.bind(events.bus),
  });
  const scheduler = await schedulerOption(
    options,
    kv ? kvCronClaim(kv, { instanceId }) : undefined,
  );
  const engine = createEngine({
    delayed,
    model: prepared.model,
    config: located.config,
    runtime,
    bus: events.bus,
    telemetry,
    validators: prepared.validators,
    mode: options.mode,
    sockets: socketsOption(events, instanceId),
    sharedState: state.kv,
    ...scheduler,
    mounts: (engine) =>
      mountsOf(options, {
        located,
        telemetry,
        reader,
        bus: events.events,
        current,
        engine,
        kv: state.kv,
        workbench,
      }),
  });
  // Nothing was left to drain unless the engine, closing, says otherwise.
  let report: ShutdownReport = { undrainedEvents: 0 };
  cleanup.handOver("engine", async () => {
    report = await engine.close();
  }, [STATE_STEP, "presence"]);
  if (!options.serveOnly) await engine.start();
  // Serving apps fire delayed events; a one-shot run (`rohas cron run`) only schedules them.
  if (!options.serveOnly && options.fireDelayed !== false) {
    delayed.start();
    cleanup.push("delayed events", () => delayed.stop());
  }
  const listened = await listen(options, {
    engine,
    located,
    prepared,
    telemetry: own.recorder,
    state,
  });
  const edges = listened?.pool ?? null;
  if (edges) {
    pool = edges;
    cleanup.push("edges", () => edges.close(located.config.server.shutdown_timeout_ms));
  }
  if (options.watch) await startWatching(options, { engine, runtime, located, current }, cleanup);
  return {
    engine,
    config: located.config,
    root: located.root,
    schema: prepared.schema,
    model: prepared.model,
    warnings: prepared.warnings,
    telemetry,
    reader,
    bus: events.events,
    adapterType: events.type,
    telemetryType: own.type,
    kv: state.kv,
    listening: listened?.listening ?? null,
    close: async () => {
      await cleanup.close();
      return report;
    },
  };
}

/** The app's delayed events, in its shared state; they publish through the engine once made. */
function delayedEventsOf(
  located: Located,
  ctx: {
    kv: Kv;
    telemetry: Telemetry;
    publish: () => Engine;
    deadLetter: HeldDeadLetter | undefined;
  },
): DelayedEvents {
  return new DelayedEvents({
    kv: ctx.kv,
    instanceId: located.config.server.instance_id,
    publish: (topic, payload, options) => ctx.publish().publish(topic, payload, options),
    telemetry: ctx.telemetry,
    maxAttempts: located.config.adapter.max_attempts,
    deadLetter: ctx.deadLetter,
  });
}

/** Step 9: hot reload of schema and handler edits. */
async function startWatching(
  options: AssembleOptions,
  ctx: { engine: Engine; runtime: HandlerRuntime; located: Located; current: { schema: Schema } },
  cleanup: CleanupStack,
): Promise<void> {
  const { engine, runtime, located, current } = ctx;
  const [{ watchProject }, { reload, graphRoots }, { ModuleGraph }, { TypeCheck }] = await Promise
    .all([
      import("./_watcher.ts"),
      import("./_reload.ts"),
      import("./_module_graph.ts"),
      import("./_type_check.ts"),
    ]);
  const location = { root: located.root, schemaDir: located.schemaDir };
  const onEvent = emitter(options);
  const graph = new ModuleGraph({ root: located.root });
  const typeCheck = new TypeCheck({
    root: located.root,
    onResult: (result) => onEvent({ kind: "type_check", ...result }),
  });
  cleanup.push("type check", () => typeCheck.close());
  const roots = graphRoots({ engine, location });
  graph.refresh(roots);
  typeCheck.request(roots);
  const reloadContext = {
    engine,
    runtime,
    config: located.config,
    location,
    onEvent,
    current,
    graph,
    typeCheck,
  };
  const watcher = watchProject({
    ...location,
    onBatch: async (batch) => {
      await reload(batch, reloadContext);
      // Last: the restart closes this watcher, which waits for this batch.
      if (batch.config) onEvent({ kind: "config_changed" });
    },
    onError: (error) => onEvent({ kind: "reload_failed", failure: failureOf(error) }),
  });
  cleanup.push("watcher", () => watcher.close());
}

/** Steps 1 and 2: the root, the schema directory and the config. */
async function locate(
  options: AssembleOptions,
  workbench: WorkbenchModule | null,
): Promise<Located> {
  const source = options.project;
  let root: string;
  let schemaDir: string;
  // The project loader (and its TOML parser) only where files are read: an edge is given its
  // config and schema, and each edge process holds what it loads.
  const project = () => import("../project/mod.ts");
  switch (source.kind) {
    case "path": {
      const found = await (await project()).findProject(source.path, { cwd: source.cwd });
      root = found.root;
      schemaDir = found.schemaDir;
      break;
    }
    case "root": {
      root = pathOf(source.root);
      schemaDir = source.schemaDir ??
        (await (await project()).findProject(root, { cwd: root, wholeProject: true })).schemaDir;
      break;
    }
    case "prepared":
      root = pathOf(source.root);
      schemaDir = `${root}/schema`;
      break;
  }
  const config = options.config ?? (await (await project()).loadConfig(root)).config;
  if (options.port !== undefined) config.server.port = options.port;
  if (options.logLevel !== undefined) config.log.level = options.logLevel;
  // Resolved once: the edges, given this config, record as the same instance.
  config.server.instance_id = instanceIdOf(config);
  // Before anything starts: a workbench nobody could use is refused, saying how to set a key.
  workbench?.checkWorkbenchConfig(config, options.mode);
  return { root, schemaDir, config };
}

function pathOf(rootOrUrl: string): string {
  const path = rootOrUrl.startsWith("file:") ? fileURLToPath(rootOrUrl) : rootOrUrl;
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/** Step 3: parse, check, codegen, build; refuses with every diagnostic at once. */
async function prepare(options: AssembleOptions, located: Located): Promise<Prepared> {
  const source = options.project;
  if (source.kind === "prepared") {
    // An embedded schema (deploy entry, edge) has no positions; the message names handler and event.
    const refused = unenforcedFlowControls(source.schema);
    if (refused.length > 0) {
      throw new ServeError({
        ok: false,
        kind: "diagnostics",
        diagnostics: refused,
        sources: new Map(),
      });
    }
    return {
      schema: source.schema,
      model: source.model,
      validators: source.validators ?? compileValidators(source.schema),
      warnings: [],
    };
  }
  const runtime = options.runtime;
  const modules = runtime?.kind === "manifest" ? runtime.manifest.modules : null;
  // The parser and codegen, which an edge (given a prepared schema) does not load.
  const { prepareApp } = await import("./project_loader.ts");
  const prepared = await prepareApp({
    root: located.root,
    schemaDir: located.schemaDir,
    config: located.config,
    codegen: options.codegen ?? false,
    // Handlers embedded in a manifest exist when the manifest has them, not when a file does.
    ...(modules ? { exists: (rel: string) => Object.hasOwn(modules, rel) } : {}),
  });
  if (!prepared.ok) throw new ServeError(prepared);
  return prepared;
}
