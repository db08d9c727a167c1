/**
 * The embedded entry: one module (`main.ts`, written once by codegen) that `deno serve`,
 * `deno serve --parallel`, Deno Deploy and a `deno compile` binary all run. Schema, validators,
 * handler table and config come from the generated `src/generated/app.ts`, so nothing reads the
 * project's files at run time; the environment overrides of `config/rohas.toml` still apply.
 *
 * Deploy mode (on when `DENO_DEPLOYMENT_ID` is set, or asked for) runs crons through `Deno.cron`
 * (which `main.ts` registers at its top level, as Deno Deploy requires), events through the
 * project's KV queues, and refuses at start what Deno Deploy cannot run ({@linkcode checkDeployable}).
 * In every mode WebSocket broadcasts reach the other isolates through `BroadcastChannel`, and
 * telemetry stays in memory (with OpenTelemetry spans, which Deno exports when `OTEL_DENO=true` and
 * Deno Deploy exports itself).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { Adapter } from "../adapters/mod.ts";
import { createDenokvAdapter } from "../adapters/denokv/mod.ts";
import type { Schema } from "../parser/mod.ts";
import { CONFIG_ENV_VARS, parseConfig, type RohasConfig } from "../project/mod.ts";
import {
  type AppModel,
  assemble,
  type Assembly,
  buildAppModel,
  type EventsChoice,
  type HandlerManifest,
  type LastingServer,
  type ServeOptions,
  type StateChoice,
  type ValidatorTable,
} from "../engine/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import { kvOver, openDenoKvBackend } from "../state/mod.ts";
import { relayOverChannel } from "./broadcast_relay.ts";
import { checkDeployable, denoCronSchedule } from "./deploy_checks.ts";
import { DeployError } from "./errors.ts";

/** What the generated `src/generated/app.ts` embeds. */
export interface EmbeddedApp {
  /** The project folder's name at codegen (`[project] name` wins). */
  name: string;
  /** The checked schema. */
  schema: Schema;
  /** The text of `config/rohas.toml` at codegen; null when the project had none. */
  config: string | null;
  /** The generated manifest: every handler module, statically imported. */
  manifest: HandlerManifest;
  /** The generated request validators. */
  validators: ValidatorTable;
}

/** Options of {@linkcode createEntry}. */
export interface EntryOptions {
  /** Deploy mode. Default: on when `DENO_DEPLOYMENT_ID` is set or `ROHAS_DEPLOY` is `1`. */
  deploy?: boolean;
  /** The environment. Default: the process's (`CONFIG_ENV_VARS`, `DENO_DEPLOYMENT_ID`, `ROHAS_DEPLOY`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The broker adapter, not started. Default: deploy mode's or the config's. */
  adapter?: Adapter;
  /** The `BroadcastChannel` of WebSocket broadcasts; null relays none. Default `rohas:<project>:sockets`. */
  channel?: string | null;
  /**
   * Drain and close the app on SIGTERM and SIGINT (`deno serve` stops listening on them, and the
   * app's timers and subscriptions would keep the process alive). Default true.
   */
  closeOnSignals?: boolean;
}

/** A cron job for `Deno.cron`, registered by the entry module's top-level code. */
export interface EntryCron {
  /** The job's schema name. */
  name: string;
  /** Five fields, UTC. */
  schedule: string;
  /** For `Deno.cron`: aborted when the entry closes, so the job stops with the app. */
  options: { signal: AbortSignal };
  /** Runs the job once (after the app has started); a failure is in its trace, not thrown. */
  run: () => Promise<void>;
}

/** The app behind `main.ts`. */
export interface Entry {
  /** Whether deploy mode is on. */
  readonly deploy: boolean;
  /** The embedded config with the environment's overrides. */
  readonly config: RohasConfig;
  /** The jobs to register with `Deno.cron` (deploy mode); empty otherwise (the engine schedules them). */
  readonly crons: readonly EntryCron[];
  /** Serves one request (what `deno serve` and Deno Deploy call); waits for the start. */
  readonly fetch: (request: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;
  /** Starts the app once (events subscribed, `listenQueue` called); later calls share the start. */
  start(): Promise<void>;
  /** Listens with `Deno.serve` on `[server] host:port` (a compiled binary, `deno run`). */
  listen(options?: ServeOptions): Promise<LastingServer>;
  /** Drains and closes everything. */
  close(): Promise<void>;
}

/** `[state] path` when the config does not set it. */
const DEFAULT_STATE_PATH = ".rohas/state.kv";

const ENV_NAMES = [...CONFIG_ENV_VARS, "DENO_DEPLOYMENT_ID", "ROHAS_DEPLOY"];

/**
 * Makes the entry of an embedded app. Synchronous, so that the module calling it can register the
 * crons with `Deno.cron` at its top level before it awaits {@linkcode Entry.start}.
 *
 * @param app the generated `app` export
 * @param options deploy mode, environment, adapter, channel
 * @returns the entry; `main.ts` exports `{ fetch }` of it
 * @throws {DeployError} when the app cannot run embedded or (deploy mode) on Deno Deploy
 * @throws {ConfigError} when an environment override has a wrong value
 * @example In a project (it needs the generated app, so it is not run as a documentation test)
 * ```ts ignore
 * import { createEntry } from "@rohas/cli/deploy";
 * import { app } from "./src/generated/app.ts";
 * const entry = createEntry(app);
 * for (const cron of entry.crons) Deno.cron(cron.name, cron.schedule, cron.options, cron.run);
 * await entry.start();
 * export default { fetch: entry.fetch };
 * ```
 */
export function createEntry(app: EmbeddedApp, options: EntryOptions = {}): Entry {
  const setup = setUp(app, options);
  const { config, deploy, model } = setup;
  const stopping = new AbortController();
  let started: Promise<Started> | null = null;
  const start = () => started ??= startEntry(setup, close);
  async function close(): Promise<void> {
    stopping.abort();
    if (started) await (await started).close();
  }
  const crons = deploy
    ? model.schedules.map((spec) => cronOf(spec, { start, signal: stopping.signal }))
    : [];
  return {
    deploy,
    config,
    crons,
    fetch: async (request, info) => (await start()).assembly.engine.handler(request, info),
    start: async () => {
      await start();
    },
    listen: async (serveOptions) => (await start()).assembly.engine.serve(serveOptions),
    close,
  };
}

/** What the entry knows before it starts: the config, the mode and the model. */
interface Setup {
  app: EmbeddedApp;
  options: EntryOptions;
  config: RohasConfig;
  deploy: boolean;
  root: string;
  model: AppModel;
}

/** The config with the environment's overrides, the mode, the model; refuses what cannot run. */
function setUp(app: EmbeddedApp, options: EntryOptions): Setup {
  const env = options.env ?? readEnv();
  const config = parseConfig(app.config ?? "", {
    file: "config/rohas.toml (embedded)",
    projectName: app.name,
    env: definedOnly(env),
  });
  const deploy = options.deploy ??
    ((env.DENO_DEPLOYMENT_ID ?? "") !== "" || env.ROHAS_DEPLOY === "1");
  const root = fileURLToPath(app.manifest.root).replace(/\/+$/, "") || "/";
  const model = modelOf(app, config, root);
  if (deploy) checkDeployable(config, model);
  else refuseEverywhere(config);
  return { app, options, config, deploy, root, model };
}

/** A started entry: the app, and what closes it with what the entry added around it. */
interface Started {
  assembly: Assembly;
  close(): Promise<void>;
}

/** Opens the state, assembles the app, relays broadcasts and listens for signals. */
async function startEntry(setup: Setup, close: () => Promise<void>): Promise<Started> {
  const { app, options, config, deploy, root, model } = setup;
  const log: { sink: Telemetry | null } = { sink: null };
  const state = await openEntryState(config);
  let assembly: Assembly;
  try {
    assembly = await assemble({
      project: { kind: "prepared", root, schema: app.schema, model, validators: app.validators },
      config,
      mode: "production",
      runtime: { kind: "manifest", manifest: app.manifest },
      events: eventsOf(options, { config, deploy, log }),
      telemetry: { kind: "memory" },
      state: state.choice,
      // Deploy mode: Deno.cron runs the jobs, registered by the entry module.
      cron: !deploy,
      mounts: ({ telemetry }) => {
        log.sink = telemetry;
        return [];
      },
    });
  } catch (error) {
    await state.close();
    throw error;
  }
  const channel = options.channel === undefined
    ? `rohas:${config.project.name}:sockets`
    : options.channel;
  const relay = channel === null ? null : relayOverChannel(assembly.engine.sockets, channel);
  const signals = options.closeOnSignals ?? true ? closeOnSignals(close) : null;
  return {
    assembly,
    close: async () => {
      signals?.();
      relay?.close();
      try {
        await assembly.close();
      } finally {
        await state.close();
      }
    },
  };
}

/** Closes the app on SIGTERM and SIGINT; returns what removes the listeners. */
function closeOnSignals(close: () => Promise<void>): () => void {
  const names: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGTERM", "SIGINT"];
  const onSignal = () => void close();
  for (const name of names) Deno.addSignalListener(name, onSignal);
  return () => {
    for (const name of names) Deno.removeSignalListener(name, onSignal);
  };
}

/** Where `state.kv` lives, and what closes it with the app. */
interface EntryState {
  choice: StateChoice;
  close: () => Promise<void>;
}

/**
 * The `denokv` state at its default path is the Deno KV of the runtime (`Deno.openKv()` without a
 * path): the project's KV on Deno Deploy, and locally the database Deno keeps for the main module,
 * which every isolate of `deno serve --parallel` shares and which needs no read or write permission.
 * Another path, a URL or another backend is opened as configured.
 */
async function openEntryState(config: RohasConfig): Promise<EntryState> {
  const state = config.state;
  if (state.type !== "denokv" || state.url !== "" || state.path !== DEFAULT_STATE_PATH) {
    return { choice: { kind: "config" }, close: () => Promise.resolve() };
  }
  const kv = kvOver(await openDenoKvBackend({ path: undefined }));
  return { choice: { kind: "given", kv }, close: () => kv.close() };
}

function cronOf(
  spec: AppModel["schedules"][number],
  ctx: { start: () => Promise<Started>; signal: AbortSignal },
): EntryCron {
  const start = ctx.start;
  return {
    name: spec.name,
    schedule: denoCronSchedule(spec),
    options: { signal: ctx.signal },
    run: async () => {
      await (await start()).assembly.engine.runCron(spec.name);
    },
  };
}

/** The handler table is the manifest: a handler exists when the manifest has its module. */
function modelOf(app: EmbeddedApp, config: RohasConfig, root: string): AppModel {
  const modules = app.manifest.modules;
  return buildAppModel(app.schema, config, {
    root,
    exists: (rel: string) => Object.hasOwn(modules, rel),
  });
}

/** What no embedded app runs, deploy mode or not: Python handlers need the libpython host. */
function refuseEverywhere(config: RohasConfig): void {
  if (config.project.language !== "python") return;
  throw new DeployError(
    'Cannot run the embedded entry: [project] language is "python", and deno serve, deno compile and Deno Deploy run TypeScript handlers only (serve a Python project with rohas start)',
  );
}

/**
 * Deploy mode: the project's KV queues for the embedded adapters (`memory` would keep each event in
 * the isolate that published it); network brokers as configured.
 */
function eventsOf(
  options: EntryOptions,
  ctx: { config: RohasConfig; deploy: boolean; log: { sink: Telemetry | null } },
): EventsChoice {
  if (options.adapter) return { kind: "adapter", adapter: options.adapter };
  const adapter = ctx.config.adapter;
  if (!ctx.deploy || (adapter.type !== "memory" && adapter.type !== "denokv")) {
    return { kind: "config" };
  }
  const setting = (key: string) => {
    const value = adapter.settings[key];
    return typeof value === "number" ? value : undefined;
  };
  const windowMs = setting("idempotency_window_ms");
  const retentionMs = setting("unhandled_retention_ms");
  const wakeMs = setting("wake_interval_ms");
  return {
    kind: "adapter",
    adapter: createDenokvAdapter({
      ...(windowMs === undefined ? {} : { idempotencyWindowMs: windowMs }),
      ...(retentionMs === undefined ? {} : { unhandledRetentionMs: retentionMs }),
      ...(wakeMs === undefined ? {} : { wakeIntervalMs: wakeMs }),
      onError: (error) => ctx.log.sink?.log(adapterLog(error)),
    }),
  };
}

function adapterLog(error: unknown): Parameters<Telemetry["log"]>[0] {
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: "adapter:denokv",
    message: error instanceof Error ? error.message : String(error),
    fields: error instanceof Error ? { error: error.name } : {},
    span_fields: {},
  };
}

function readEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_NAMES) env[name] = Deno.env.get(name);
  return env;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
