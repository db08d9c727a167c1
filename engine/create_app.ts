/**
 * In-process mode (docs/design.md#d7-runtime and docs/design.md#d14-distribution): a TypeScript
 * project served without Workers, from the generated manifest's static imports, for Deno Deploy and
 * `deno compile`.
 *
 * @module
 */

import { adapterErrorLog } from "./_adapter_log.ts";
import { fileURLToPath } from "node:url";
import { createAdapter } from "../adapters/mod.ts";
import { parseDirectory, validateSchema } from "../parser/mod.ts";
import { loadConfig } from "../project/mod.ts";
import type { RohasConfig } from "../project/config.ts";
import { compileValidators } from "../codegen/mod.ts";
import { createTelemetry } from "../telemetry/mod.ts";
import type { Telemetry } from "../telemetry/model.ts";
import { EventBus, retryPolicyOf } from "./events/mod.ts";
import { Scheduler } from "./cron/mod.ts";
import { createInProcessRuntime, type HandlerManifest } from "./runtime/mod.ts";
import { buildAppModel } from "./app_model.ts";
import { createEngine, type Engine, type ServeOptions } from "./app.ts";
import type { RequestHandler } from "./http_pipeline.ts";
import type { EngineMode } from "./parts.ts";
import { EngineError } from "./errors.ts";

/** Options of {@linkcode createApp}. */
export interface CreateAppOptions {
  /** The generated `src/generated/manifest.ts` export. */
  manifest: HandlerManifest;
  /** The project root (path or file URL). Default: the manifest's root. */
  root?: string;
  /** The resolved config. Default: `config/rohas.toml` under the root, or the defaults. */
  config?: RohasConfig;
  /** Default `production`. */
  mode?: EngineMode;
  /** Default: the recorder over an in-memory store, with the config's `[telemetry]` flags. */
  telemetry?: Telemetry;
  /** Schedule the cron jobs. Default true. */
  cron?: boolean;
}

/** An app served in-process. */
export interface App {
  /** Serves one request without a socket; never rejects. */
  readonly handler: RequestHandler;
  /** The engine underneath (sockets, cron run-now, idle). */
  readonly engine: Engine;
  /** Listens with `Deno.serve` on `[server] host:port` (or the options). */
  serve(options?: ServeOptions): Deno.HttpServer<Deno.NetAddr>;
  /** Drains and closes everything. */
  close(): Promise<void>;
}

/**
 * Creates an app from the schema and the generated manifest; handlers run in this isolate.
 *
 * @param options the manifest, and optionally root, config, mode, telemetry
 * @returns the started app (events subscribed, cron scheduled); call `serve()` to listen
 * @throws {EngineError} when the schema has errors; {@linkcode HandlerResolutionError} when a
 * handler is missing from the manifest
 * @example
 * ```ts ignore
 * import { createApp } from "@rohas/cli";
 * import { manifest } from "./src/generated/manifest.ts";
 * const app = await createApp({ manifest });
 * app.serve();
 * ```
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const rootOption = options.root ?? options.manifest.root;
  const root = (rootOption.startsWith("file:") ? fileURLToPath(rootOption) : rootOption)
    .replace(/\/+$/, "");
  const config = options.config ?? (await loadConfig(root)).config;
  const parsed = await parseDirectory(`${root}/schema`);
  const errors = [
    ...parsed.diagnostics,
    ...validateSchema(parsed.schema, { locations: parsed.locations }),
  ]
    .filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const lines = errors.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
    throw new EngineError(`Cannot create the app: the schema has errors:\n${lines.join("\n")}`);
  }
  const modules = options.manifest.modules;
  const model = buildAppModel(parsed.schema, config, {
    root,
    exists: (rel) => Object.hasOwn(modules, rel),
  });
  // In-process apps (Deno Deploy, deno compile) keep telemetry in memory by default: the
  // embedded stores may not exist there. The recorder is the one `rohas start` uses.
  const telemetry = options.telemetry ??
    await createTelemetry({ ...config.telemetry, type: "memory" }, {
      root,
      logLevel: config.log.level,
    });
  const adapter = await createAdapter(config.adapter, {
    projectRoot: root,
    service: config.project.name,
    onError: (error) => telemetry.log(adapterErrorLog(config.adapter.type, error)),
  });
  const bus = new EventBus(adapter, {
    retry: retryPolicyOf(config.adapter),
    onMetric: (s) => telemetry.metric(s),
  });
  await bus.start();
  const engine = createEngine({
    model,
    config,
    runtime: createInProcessRuntime({ manifest: options.manifest }),
    bus,
    telemetry,
    validators: compileValidators(parsed.schema),
    mode: options.mode ?? "production",
    ...(options.cron === false ? {} : { createScheduler: () => new Scheduler() }),
  });
  await engine.start();
  return {
    handler: engine.handler,
    engine,
    serve: (serveOptions) => engine.serve(serveOptions),
    close: async () => {
      await engine.close();
    },
  };
}
