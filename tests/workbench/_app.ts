// A real engine app (examples/hello-ts, in-process runtime, memory adapter) with the workbench
// mounted exactly the way the engine is meant to mount it. Shared by the workbench tests.
import { fileURLToPath } from "node:url";
import { createAdapter } from "../../adapters/mod.ts";
import { parseDirectory } from "../../parser/mod.ts";
import { loadConfig } from "../../project/mod.ts";
import type { RohasConfig } from "../../project/mod.ts";
import { compileValidators } from "../../codegen/mod.ts";
import { buildAppModel, createEngine, type Engine } from "../../engine/mod.ts";
import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
import { DelayedEvents } from "../../engine/delayed/mod.ts";
import { limitsSnapshot } from "../../engine/limits/mod.ts";
import { EventBus, retryPolicyOf } from "../../engine/events/mod.ts";
import { createInProcessRuntime } from "../../engine/runtime/mod.ts";
import { createTelemetry, type RecordingTelemetry } from "../../telemetry/mod.ts";
import { createWorkbenchHandler, workbenchMounts } from "../../workbench/mod.ts";
import { manifest } from "../../examples/hello-ts/src/generated/manifest.ts";

/** The example project the workbench tests run on. */
export const ROOT = fileURLToPath(new URL("../../examples/hello-ts", import.meta.url));

/** A served example app with the workbench. */
export interface WorkbenchApp extends AsyncDisposable {
  engine: Engine;
  telemetry: RecordingTelemetry;
  bus: EventBus;
  config: RohasConfig;
  /** `http://127.0.0.1:<port>`. */
  url: string;
}

/** Options of {@linkcode startWorkbenchApp}. */
export interface StartOptions {
  apiKey?: string;
  allowedOrigins?: string[];
  mode?: "dev" | "production";
  /** Default `memory`; `rocksdb` uses a temporary directory removed on dispose. */
  telemetryType?: "memory" | "rocksdb";
  /** `[telemetry] max_persisted_per_second`. Default: the example's (the config's default). */
  maxPersistedPerSecond?: number;
}

/** Starts the example app with the workbench on a free loopback port. */
export async function startWorkbenchApp(options: StartOptions = {}): Promise<WorkbenchApp> {
  const { config } = await loadConfig(ROOT);
  config.workbench.api_key = options.apiKey ?? "";
  config.workbench.allowed_origins = options.allowedOrigins ?? [];
  const parsed = await parseDirectory(`${ROOT}/schema`);
  const model = buildAppModel(parsed.schema, config, {
    root: ROOT,
    exists: (rel) => Object.hasOwn(manifest.modules, rel),
  });
  const dir = options.telemetryType === "rocksdb"
    ? await Deno.makeTempDir({ prefix: "rohas_wb_" })
    : null;
  const telemetry = await createTelemetry(
    {
      ...config.telemetry,
      type: options.telemetryType ?? "memory",
      path: dir ?? "",
      max_persisted_per_second: options.maxPersistedPerSecond ??
        config.telemetry.max_persisted_per_second,
    },
    { root: ROOT, otel: false, logLevel: "debug" },
  );
  const bus = new EventBus(await createAdapter(config.adapter, { projectRoot: ROOT }), {
    retry: retryPolicyOf(config.adapter),
    onMetric: (s) => telemetry.metric(s),
  });
  await bus.start();
  // The example keeps its users in state.kv; its `auth` middleware remembers the caller there.
  const kv = kvOver(createMemoryKvBackend());
  let engine: Engine | null = null;
  const workbench = createWorkbenchHandler({
    root: ROOT,
    config,
    schema: () => parsed.schema,
    telemetry,
    events: bus,
    runCron: (name) => engine!.runCron(name),
    limits: () => limitsSnapshot(kv, engine!.model()),
    mode: options.mode ?? "dev",
  });
  // The example delays events (PlaceOrder's reminder, escalate_order's `delay`): kept in its kv.
  const delayed = new DelayedEvents({
    kv,
    instanceId: "workbench-test",
    publish: (topic, payload, o) => engine!.publish(topic, payload, o),
    telemetry,
    gaugeMs: 500,
  });
  engine = createEngine({
    delayed,
    model,
    config,
    runtime: createInProcessRuntime({ manifest, kv }),
    bus,
    telemetry,
    validators: compileValidators(parsed.schema),
    mode: options.mode ?? "dev",
    sharedState: kv,
    // The one line the engine needs to serve the workbench.
    mounts: workbenchMounts(workbench),
  });
  await engine.start();
  delayed.start();
  const listening = Promise.withResolvers<Deno.NetAddr>();
  engine.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => listening.resolve(a) });
  const addr = await listening.promise;
  const started = engine;
  return {
    engine: started,
    telemetry,
    bus,
    config,
    url: `http://127.0.0.1:${addr.port}`,
    async [Symbol.asyncDispose]() {
      await delayed.stop();
      await started.close();
      await kv.close();
      if (dir) await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Polls a condition until it holds or the deadline passes. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { rawHttp } from "../engine/_raw_http.ts";
