/**
 * The options and the result of the assembly (engine/assemble.ts): where the project comes from,
 * and what each entry point chooses for the runtime, events, telemetry, listening and watching.
 *
 * @module
 */

import type { Adapter } from "../adapters/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import type { Diagnostic, Schema } from "../parser/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import type { LogLevel, TelemetryReader, TelemetryStore } from "../telemetry/mod.ts";
import type { EventBus } from "./events/mod.ts";
import type { HandlerManifest } from "./runtime/mod.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";
import type { AppModel } from "./app_model.ts";
import type { Engine, ShutdownReport } from "./app.ts";
import type { EventSubscriber } from "./event_wiring.ts";
import type { CronScheduler } from "./cron_wiring.ts";
import type { Mount } from "./http_pipeline.ts";
import type { EngineMode, ValidatorTable } from "./parts.ts";
import type { PrepareFailure } from "./project_loader.ts";
import type { PythonRestart } from "./runtime/python/mod.ts";
import type { Kv } from "../state/mod.ts";

/** What happened while serving, for the CLI to print. */
export type ServeEvent =
  /**
   * A module under `src/` was reloaded; `handlers` names the handlers now running its new code
   * (empty when no handler imports it, or when it failed to load and the old code still serves).
   */
  | {
    kind: "handler_reloaded";
    file: string;
    ms: number;
    error: string | null;
    handlers: string[];
  }
  /** The background `deno check` after an edit finished; requests were served meanwhile. */
  | { kind: "type_check"; ok: boolean; output: string; ms: number }
  /** `config/rohas.toml` changed: `serveProject` restarts the engine in place with it. */
  | { kind: "config_changed" }
  /** The engine restarted in place with the edited config. */
  | { kind: "config_applied"; url: string; ms: number }
  | { kind: "schema_reloaded"; routes: number; written: string[]; ms: number }
  | { kind: "reload_failed"; failure: PrepareFailure }
  | { kind: "worker_restarted"; profile: string; message: string }
  /** The Python runtime's host crashed or a handler blocked its loop; it was replaced. */
  | { kind: "python_restarted"; restart: PythonRestart }
  | { kind: "cron_skipped"; name: string; at: Date }
  | { kind: "cron_failed"; name: string; message: string }
  /** Another instance appeared that this one cannot coordinate with (see engine/cluster). */
  | { kind: "instance_warning"; message: string };

/** Where the project comes from. */
export type ProjectSource =
  /** A project directory, schema directory or `.ro` file, found as the CLI finds it. */
  | { kind: "path"; path: string; cwd: string }
  /** A project root (path or file URL); the schema is `schemaDir`, else where the project keeps it. */
  | { kind: "root"; root: string; schemaDir?: string }
  /**
   * A schema and model built elsewhere (an edge gets them from the main process; an embedded app
   * from its generated module, with the validators codegen compiled).
   */
  | {
    kind: "prepared";
    root: string;
    schema: Schema;
    model: AppModel;
    validators?: ValidatorTable;
  };

/** Where `state.kv` keeps its entries. */
export type StateChoice =
  /** The backend `[state] type` names, opened by this process (which answers every other). */
  | { kind: "config" }
  /** A store in this process's memory, whatever `[state]` says. */
  | { kind: "memory" }
  /**
   * A store of the caller's, used as is and left open (an edge's store that forwards to the main
   * process, or any object with the {@linkcode Kv} methods).
   */
  | { kind: "given"; kv: Kv };

/** Where handlers run. */
export type RuntimeChoice =
  /** TypeScript handlers in permissioned Workers, Python through libpython, loaded by file. */
  | { kind: "project" }
  /** In this isolate, from the generated manifest's static imports (no Workers, no FFI). */
  | { kind: "manifest"; manifest: HandlerManifest }
  /** A runtime of the caller's. */
  | { kind: "given"; runtime: HandlerRuntime };

/** How events travel. */
export type EventsChoice =
  /** The adapter `[adapter] type` names. */
  | { kind: "config" }
  /** The embedded memory adapter, whatever `[adapter]` says: events stay in this process. */
  | { kind: "memory" }
  /** An adapter object of the caller's (see the conformance suite of `adapters/`). */
  | { kind: "adapter"; adapter: Adapter }
  /** A bus of the caller's, with no adapter behind it (an edge publishes to the main process). */
  | { kind: "bus"; bus: EventSubscriber & { close?(): Promise<void> } };

/** Where telemetry goes. */
export type TelemetryChoice =
  /** The recorder over the store `[telemetry] type` names. */
  | { kind: "config" }
  /** The recorder over an in-memory store, with the config's `[telemetry]` flags. */
  | { kind: "memory" }
  /** The recorder over a store object of the caller's, with the config's `[telemetry]` flags. */
  | { kind: "store"; store: TelemetryStore }
  /** A telemetry of the caller's, used as is (and closed with the app). */
  | { kind: "given"; telemetry: Telemetry }
  /** Nothing is recorded. */
  | { kind: "off" };

/** Where the app listens once started. */
export type ListenChoice =
  /** Nowhere: the caller serves `engine.handler` (or calls `engine.serve()`). */
  | "none"
  /** `[server] host:port` from this process. */
  | "main"
  /** Edge processes sharing `[server] host:port` when `[server] workers` asks for them, else `main`. */
  | "edges";

/** What the parts are given to make the caller's mounts. */
export interface MountContext {
  /** The configuration, port override applied. */
  config: RohasConfig;
  /** What the engine records through. */
  telemetry: Telemetry;
  /** The event bus; null when a bus of the caller's was given. */
  bus: EventBus | null;
  /** The project root (absolute path). */
  root: string;
  /** The engine the mounts are served by. */
  engine: Engine;
}

/** Options of `assemble`; the table in ARCHITECTURE.md lists what each entry point sets. */
export interface AssembleOptions {
  /** Where the project is. */
  project: ProjectSource;
  /** `dev` (handler error messages shown to clients) or `production`. */
  mode: EngineMode;
  /** The resolved config. Default: `config/rohas.toml` under the root, defaults filled in. */
  config?: RohasConfig;
  /** Overrides `[server] port`; 0 picks a free port. */
  port?: number;
  /** Overrides `[log] level` (`ROHAS_LOG`): the least severe log entry recorded and streamed. */
  logLevel?: LogLevel;
  /** Run codegen before building (generated files and missing stubs). Default false. */
  codegen?: boolean;
  /** Where `state.kv` keeps its entries. Default: `config`. */
  state?: StateChoice;
  /** Where handlers run. Default: `project`. */
  runtime?: RuntimeChoice;
  /** How events travel. Default: `config`. */
  events?: EventsChoice;
  /** Where telemetry goes. Default: `config`. */
  telemetry?: TelemetryChoice;
  /** Schedule the cron jobs. Default true. */
  cron?: boolean;
  /** Makes the cron scheduler. Default: engine/cron `Scheduler`, trouble told to `onEvent`. */
  createScheduler?: () => CronScheduler;
  /**
   * Only serve requests: subscribe no event handler, schedule no cron job (an edge, whose main
   * process does both). Default false.
   */
  serveOnly?: boolean;
  /**
   * Fire due delayed events (`state.triggerEvent(E, p, { delay })`, a handler's `delay`) in this
   * process. A one-shot run (`rohas cron run`) only schedules them, for the serving instances to
   * fire. Default true (not in an edge, `serveOnly`).
   */
  fireDelayed?: boolean;
  /** Serve the workbench (`/_rohas/` app, `/api/workbench/*` API). Default false. */
  workbench?: boolean;
  /** Extra handlers, made once the parts exist. Default: none. */
  mounts?: (ctx: MountContext) => Mount[];
  /** Where to listen. Default `none`. */
  listen?: ListenChoice;
  /** Watch the project and hot-reload (dev). Default false. */
  watch?: boolean;
  /** Told about reloads, worker restarts and cron trouble. Default: events are dropped. */
  onEvent?: (event: ServeEvent) => void;
}

/** Where an assembled app listens. */
export interface Listening {
  /** Such as `http://127.0.0.1:3000`. */
  url: string;
  /** The bound port (the real one when the port was 0). */
  port: number;
  /** Edge processes serving the port (0: this process serves it). */
  edges: number;
  /** Resolves when the server stops. */
  finished: Promise<void>;
}

/** A running app. */
export interface Assembly {
  /** The running engine. */
  engine: Engine;
  /** The configuration, with the port override applied. */
  config: RohasConfig;
  /** The project root (absolute path). */
  root: string;
  /** The schema at start; the engine's model follows reloads. */
  schema: Schema;
  /** The application model at start. */
  model: AppModel;
  /** Schema warnings found at start. */
  warnings: Diagnostic[];
  /** What the engine records through. */
  telemetry: Telemetry;
  /**
   * The recorder's query side (federated with the edges'), whose `subscribe` streams each trace
   * and log entry as it happens; null when the assembly made no recorder (a given telemetry, off).
   */
  reader: TelemetryReader | null;
  /** The event bus; null when a bus of the caller's was given. */
  bus: EventBus | null;
  /** The adapter's type, such as `memory` or `nats` (`external` for a given bus). */
  adapterType: string;
  /** The telemetry store's type, such as `memory` (`external` for a given one, `off`). */
  telemetryType: string;
  /** `state.kv` as handlers see it (this process owns it unless it was given). */
  kv: Kv;
  /** Where it listens; null for `listen: "none"`. */
  listening: Listening | null;
  /** Stops watching, drains and closes everything, newest first; says what it could not drain. */
  close(): Promise<ShutdownReport>;
}

/** Steps 1 and 2 done: where the project is, and its config. */
export interface Located {
  /** The project root (absolute path). */
  root: string;
  /** What to parse (unused for a prepared project). */
  schemaDir: string;
  /** The config, port override applied. */
  config: RohasConfig;
}

/** Step 3 done: the schema, the model and the validators. */
export interface Prepared {
  schema: Schema;
  model: AppModel;
  validators: ValidatorTable;
  warnings: Diagnostic[];
}
