/**
 * In-process mode (docs/design.md#d7-runtime and docs/design.md#d14-distribution): a TypeScript
 * project served without Workers, from the generated manifest's static imports, for Deno Deploy and
 * `deno compile`. The assembly (engine/assemble.ts) with the
 * manifest as the runtime; telemetry in memory unless a store is asked for.
 *
 * @module
 */

import type { LastingServer } from "./_lasting_server.ts";
import type { Adapter } from "../adapters/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import type { TelemetryStore } from "../telemetry/mod.ts";
import type { HandlerManifest } from "./runtime/mod.ts";
import type { Engine, ServeOptions } from "./app.ts";
import type { RequestHandler } from "./http_pipeline.ts";
import type { EngineMode } from "./parts.ts";
import { assemble, type EventsChoice, type StateChoice, type TelemetryChoice } from "./assemble.ts";
import type { Kv } from "../state/mod.ts";
import { EngineError, ServeError } from "./errors.ts";

/** Options of {@linkcode createApp}. */
export interface CreateAppOptions {
  /** The generated `src/generated/manifest.ts` export. */
  manifest: HandlerManifest;
  /** The project root (path or file URL). Default: the manifest's root. */
  root?: string;
  /** The schema directory or file. Default: where the project keeps it (`<root>/schema`). */
  schemaDir?: string;
  /** The resolved config. Default: `config/rohas.toml` under the root, or the defaults. */
  config?: RohasConfig;
  /** Default `production`. */
  mode?: EngineMode;
  /**
   * The broker adapter, not yet started (any object passing the conformance suite of
   * `@rohas/cli/adapters`). Default: the one `[adapter]` names.
   */
  adapter?: Adapter;
  /**
   * Where telemetry goes: a telemetry used as is, `"config"` for the recorder over the store
   * `[telemetry] type` names, or `"memory"`. Default `"memory"` (unless `store` is given): an
   * in-process app (Deno Deploy, `deno compile`) may run where the file and database stores cannot
   * (no writes, no FFI).
   */
  telemetry?: Telemetry | "memory" | "config";
  /**
   * A store for the recorder to write to, with the config's `[telemetry]` flags (any object
   * passing the suite of `@rohas/cli/telemetry`). Not together with `telemetry`.
   */
  store?: TelemetryStore;
  /** Schedule the cron jobs. Default true. */
  cron?: boolean;
  /**
   * What handlers see as `state.kv`: a store used as is (left open), `"config"` for the backend
   * `[state] type` names (opened and closed with the app), or `"memory"`. Default `"memory"`, like
   * telemetry: the default `denokv` file needs writes an in-process app may not have. Give
   * `"config"` (or a store) when several processes or instances must share the entries.
   */
  state?: Kv | "memory" | "config";
}

/** An app served in-process. */
export interface App {
  /** Serves one request without a socket; never rejects. */
  readonly handler: RequestHandler;
  /** The engine underneath (sockets, cron run-now, idle). */
  readonly engine: Engine;
  /** Listens with `Deno.serve` on `[server] host:port` (or the options). */
  serve(options?: ServeOptions): LastingServer;
  /** Drains and closes everything. */
  close(): Promise<void>;
}

/**
 * Creates an app from the schema and the generated manifest; handlers run in this isolate.
 *
 * @param options the manifest, and optionally root, schema directory, config, mode, adapter,
 * telemetry
 * @returns the started app (events subscribed, cron scheduled); call `serve()` to listen
 * @throws {EngineError} when the schema has errors; {@linkcode HandlerResolutionError} when a
 * handler is missing from the manifest
 * @example In a project (it needs the project's generated manifest, so it is not run as a documentation test)
 * ```ts ignore
 * import { createApp } from "@rohas/cli";
 * import { manifest } from "./src/generated/manifest.ts";
 * const app = await createApp({ manifest });
 * app.serve();
 * ```
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const root = options.root ?? options.manifest.root;
  const telemetry = telemetryOf(options);
  try {
    const app = await assemble({
      project: {
        kind: "root",
        root,
        ...(options.schemaDir === undefined ? {} : { schemaDir: options.schemaDir }),
      },
      mode: options.mode ?? "production",
      ...(options.config ? { config: options.config } : {}),
      runtime: { kind: "manifest", manifest: options.manifest },
      events: eventsOf(options.adapter),
      telemetry,
      cron: options.cron ?? true,
      state: stateOf(options.state),
    });
    const engine = app.engine;
    return {
      handler: engine.handler,
      engine,
      serve: (serveOptions) => engine.serve(serveOptions),
      close: async () => {
        await app.close();
      },
    };
  } catch (error) {
    throw unwrap(error);
  }
}

function stateOf(state: CreateAppOptions["state"]): StateChoice {
  if (state === undefined || state === "memory") return { kind: "memory" };
  if (state === "config") return { kind: "config" };
  return { kind: "given", kv: state };
}

function eventsOf(adapter: Adapter | undefined): EventsChoice {
  return adapter === undefined ? { kind: "config" } : { kind: "adapter", adapter };
}

function telemetryOf(options: CreateAppOptions): TelemetryChoice {
  const { telemetry, store } = options;
  if (store !== undefined) {
    if (telemetry !== undefined) {
      throw new EngineError(
        'Cannot create the app: give "telemetry" or "store", not both (a store is wrapped in the recorder)',
      );
    }
    return { kind: "store", store };
  }
  if (telemetry === undefined || telemetry === "memory") return { kind: "memory" };
  if (telemetry === "config") return { kind: "config" };
  return { kind: "given", telemetry };
}

/** The errors `createApp` has always thrown: the schema's as one message, the build's as is. */
function unwrap(error: unknown): unknown {
  if (!(error instanceof ServeError)) return error;
  const failure = error.failure;
  if (failure.kind === "error") return failure.error;
  const lines = failure.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
  return new EngineError(`Cannot create the app: the schema has errors:\n${lines.join("\n")}`, {
    cause: error,
  });
}
