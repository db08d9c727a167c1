/**
 * `rohas dev` and `rohas start` without the printing: the assembly (engine/assemble.ts) with the
 * project found from a path, the project runtime (Workers, Python), the config's adapter and
 * telemetry store, listening from this process (dev, watching) or through edges (start).
 *
 * @module
 */

import type { RohasConfig } from "../project/mod.ts";
import type { LogLevel, TelemetryReader } from "../telemetry/mod.ts";
import type { AppModel } from "./app_model.ts";
import type { Engine, ShutdownReport } from "./app.ts";
import type { CronScheduler } from "./cron_wiring.ts";
import type { Mount } from "./http_pipeline.ts";
import type { EngineMode } from "./parts.ts";
import type { PreparedApp } from "./project_loader.ts";
import { assemble, type Assembly, type MountContext, type ServeEvent } from "./assemble.ts";
import { loadConfig } from "../project/mod.ts";
import { failureOf } from "./errors.ts";

export type { ServeEvent } from "./assemble.ts";
export { createProjectRuntime, type ProjectRuntime, startRuntime } from "./project_runtime.ts";

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
  /** Overrides `[log] level` (`ROHAS_LOG`). */
  logLevel?: LogLevel;
  /** Watch and hot-reload (dev). Default false. */
  watch?: boolean;
  /** Makes a cron scheduler. Default: engine/cron `Scheduler` (no overlapping runs). */
  createScheduler?: () => CronScheduler;
  /** Serve the workbench (`/_rohas/` app, `/api/workbench/*` API). Default false. */
  workbench?: boolean;
  /** Extra handlers, given the parts once they exist. */
  mounts?: (ctx: MountContext) => Mount[];
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
  /** Streams each trace and log entry as it happens (the terminal prints them); see `Assembly`. */
  telemetry: TelemetryReader | null;
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
 * Under `watch`, an edit of `config/rohas.toml` restarts the engine in place: the edited config is
 * read first (a broken one is reported and the running engine keeps serving), then the engine
 * drains and closes and a new one starts on the same port (or on the edited `[server] port` when
 * no port was given). The returned object follows the running engine.
 *
 * @param options path, mode, port, watch
 * @returns the served project
 * @throws {ServeError} when the schema or handlers are broken
 * @throws {Deno.errors.AddrInUse} when the port is taken (everything started is closed first)
 */
export async function serveProject(options: ServeProjectOptions): Promise<ServedProject> {
  const finished = Promise.withResolvers<void>();
  let restarting: Promise<void> | null = null;
  let closed = false;
  const tell = (event: ServeEvent) => options.onEvent?.(event);
  const follow = (started: Assembly) => {
    started.listening!.finished.then(() => {
      if (started === app && restarting === null) finished.resolve();
    });
  };
  const restart = async () => {
    const started = performance.now();
    try {
      await loadConfig(app.root);
    } catch (error) {
      tell({ kind: "reload_failed", failure: failureOf(error) });
      return;
    }
    const port = options.port === undefined ? undefined : app.listening!.port;
    await app.close();
    try {
      app = await assembleProject(options, port, onEvent);
    } catch (error) {
      tell({ kind: "reload_failed", failure: failureOf(error) });
      finished.resolve();
      return;
    }
    follow(app);
    tell({ kind: "config_applied", url: app.listening!.url, ms: performance.now() - started });
  };
  const onEvent = (event: ServeEvent) => {
    tell(event);
    if (event.kind !== "config_changed" || closed || restarting !== null) return;
    restarting = restart().finally(() => restarting = null);
  };
  let app = await assembleProject(options, options.port, onEvent);
  follow(app);
  return servedOf(() => app, finished.promise, async () => {
    closed = true;
    await restarting;
    const report = await app.close();
    finished.resolve();
    return report;
  });
}

function assembleProject(
  options: ServeProjectOptions,
  port: number | undefined,
  onEvent: (event: ServeEvent) => void,
): Promise<Assembly> {
  return assemble({
    project: { kind: "path", path: options.path, cwd: options.cwd },
    mode: options.mode,
    ...(port === undefined ? {} : { port }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    codegen: options.mode === "dev",
    runtime: { kind: "project" },
    events: { kind: "config" },
    telemetry: { kind: "config" },
    ...(options.createScheduler ? { createScheduler: options.createScheduler } : {}),
    workbench: options.workbench ?? false,
    ...(options.mounts ? { mounts: options.mounts } : {}),
    // Hot reload swaps modules in this process's Workers: no edges while watching.
    listen: options.watch ? "main" : "edges",
    watch: options.watch ?? false,
    onEvent,
  });
}

/** The served project as seen through the running assembly (it changes on a config restart). */
function servedOf(
  app: () => Assembly,
  finished: Promise<void>,
  close: () => Promise<ShutdownReport>,
): ServedProject {
  // Never null: this assembly listens ("main" or "edges").
  const listening = () => app().listening!;
  return {
    get engine() {
      return app().engine;
    },
    get config() {
      return app().config;
    },
    get root() {
      return app().root;
    },
    get url() {
      return listening().url;
    },
    get port() {
      return listening().port;
    },
    get adapterType() {
      return app().adapterType;
    },
    get telemetryType() {
      return app().telemetryType;
    },
    get edges() {
      return listening().edges;
    },
    get telemetry() {
      return app().reader;
    },
    get model() {
      return app().model;
    },
    get warnings() {
      return app().warnings;
    },
    finished,
    close,
  };
}
