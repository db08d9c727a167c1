/**
 * The resolved `config/rohas.toml`: every key of the original (docs/compatibility.md#configuration)
 * plus this project's additions, each with a default. `project/load_config.ts` parses TOML into
 * this shape.
 *
 * @module
 */

/** Adapter types `[adapter] type` accepts. */
export const ADAPTER_TYPES = [
  "memory",
  "rocksdb",
  "denokv",
  "nats",
  "rabbitmq",
  "kafka",
  "sqs",
  "aws",
] as const;

/** Telemetry stores `[telemetry] type` accepts. */
export const TELEMETRY_TYPES = [
  "rocksdb",
  "memory",
  "prometheus",
  "influxdb",
  "timescaledb",
] as const;

/** Shared-state backends `[state] type` accepts. */
export const STATE_TYPES = ["denokv", "memory", "nats", "postgres"] as const;

/** Handler languages a project can be written in. */
export type ProjectLanguage = "typescript" | "python";

/** `[project]`. */
export interface ProjectSection {
  /** Default: the project directory's name. */
  name: string;
  /** Default `"0.1.0"`. */
  version: string;
  /** `typescript`/`ts` or `python`/`py`, case-insensitive. Default `typescript`. */
  language: ProjectLanguage;
}

/** `[server]`. */
export interface ServerSection {
  /** An IP literal or a hostname such as `localhost`. Default `"127.0.0.1"`; `ROHAS_HOST`. */
  host: string;
  /** Default 3000; `ROHAS_PORT` and `rohas dev --port` override it. */
  port: number;
  /**
   * Names this instance among several sharing a broker: traces and logs carry it, metrics get it as
   * their `instance` label. Default `""`: `<hostname>-<pid>` when the app starts
   * (`instanceIdOf`); `ROHAS_INSTANCE_ID` overrides it.
   */
  instance_id: string;
  /** Default true. */
  enable_cors: boolean;
  /** Request bodies larger than this get 413. Default 1048576 (1 MiB). */
  max_body_bytes: number;
  /**
   * Keys an API body or a WebSocket message has that its type does not declare: `accept`ed and
   * handed to the handler as sent (default, like the original Rohas's pydantic models), or
   * `reject`ed with a 422 naming each one.
   */
  unknown_fields: "accept" | "reject";
  /** Every handler call is abandoned after this (504 for APIs). Default 30000. */
  handler_timeout_ms: number;
  /** SIGTERM/SIGINT drain deadline. Default 10000. */
  shutdown_timeout_ms: number;
  /**
   * Edge processes serving the port side by side (`reusePort`), each running the default permission
   * profile's TypeScript handlers in its own isolate: `0` serves from the main process. Ignored while
   * `rohas dev` watches (hot reload). Default `"auto"`: none under `rohas dev`, as many as the CPU
   * cores (at most 8) under `rohas start` on Linux.
   */
  workers: number | "auto";
}

/**
 * `[adapter]`. `type` picks the broker; the delivery policy keys apply to every adapter; the whole
 * table is also kept raw in `settings` for broker-specific keys (`url`, `brokers`, `region`,
 * `queue_prefix`, `endpoint`, `path`, ...), which only the adapter reads.
 */
export interface AdapterSection {
  /** `memory` (default), `rocksdb`, `denokv`, `nats`, `rabbitmq`, `kafka`, `sqs`, `aws`. */
  type: string;
  /** Memory adapter queue bound per topic before publishers wait. Default 1000. */
  buffer_size: number;
  /** Deliveries before dead-lettering. Default 5. */
  max_attempts: number;
  /** First retry delay; doubles per attempt, with jitter. Default 500. */
  backoff_ms: number;
  /** Retry delay cap. Default 60000. */
  max_backoff_ms: number;
  /**
   * What happens to a published payload that does not match its event's payload type: `refuse`
   * (default: the publish fails with the field and the problem) or `log` (a warning with the same
   * details, and the event is published as the original Rohas did: for existing projects whose
   * handlers publish payloads their schema does not describe, until they are fixed). Absent:
   * `refuse`.
   */
  payload_checks?: "refuse" | "log";
  /** Every key of the `[adapter]` table as written. */
  settings: Record<string, unknown>;
}

/** `[telemetry]`. */
export interface TelemetrySection {
  /** `rocksdb` (default), `memory`, `prometheus`, `influxdb`, `timescaledb`. */
  type: string;
  /** Relative to the project root unless absolute. Default `.rohas/telemetry`. */
  path: string;
  /** 0 keeps forever. Default 30. */
  retention_days: number;
  /** Default 1000. */
  max_cache_size: number;
  /**
   * Traces and metric samples the store is given per second, at most: beyond it, the rest of that
   * second's traces and samples are counted in `rohas_telemetry_unpersisted_total` and not kept
   * (failed traces have an allowance of their own). The live metrics count everything. 0: no
   * limit. Default 200.
   */
  max_persisted_per_second: number;
  /** Record metrics. Default true. */
  enable_metrics: boolean;
  /**
   * Keep handler logs. Default true. When false, the terminal still prints them (and handler
   * failures); nothing is stored.
   */
  enable_logs: boolean;
  /** Record traces. Default true. */
  enable_traces: boolean;
  /** Every key of the `[telemetry]` table as written (`url`, `database`, ...). */
  settings: Record<string, unknown>;
}

/**
 * `[state]`: where `state.kv` keeps its entries. `ROHAS_STATE_TYPE`, `ROHAS_STATE_PATH` and
 * `ROHAS_STATE_URL` override the keys.
 */
export interface StateSection {
  /**
   * `denokv` (default: Deno KV in a file every process of the machine shares, or a remote Deno KV
   * at `url`), `memory` (one isolate only), `nats` (a JetStream bucket), `postgres` (a table).
   */
  type: "denokv" | "memory" | "nats" | "postgres";
  /** The `denokv` file, relative to the project root unless absolute. Default `.rohas/state.kv`. */
  path: string;
  /** The server: a remote Deno KV (`https://…`), NATS (`nats://…`) or PostgreSQL (`postgres://…`). Default `""`. */
  url: string;
}

/** `[workbench]`. */
export interface WorkbenchSection {
  /** `ROHAS_WORKBENCH_API_KEY` overrides it. Default `""` (loopback-only access in dev). */
  api_key: string;
  /** `ROHAS_WORKBENCH_ALLOWED_ORIGINS` (comma-separated) overrides it. Default `[]`. */
  allowed_origins: string[];
  /**
   * Host names the workbench answers to besides `localhost`, IP literals and `[server] host`, such
   * as `"rohas.example.com"` or `"rohas.example.com:8443"` (without a port: any port). A request
   * with another `Host` gets 403, so a DNS-rebinding page cannot reach the workbench.
   * `ROHAS_WORKBENCH_ALLOWED_HOSTS` (comma-separated) overrides it. Default `[]`.
   */
  allowed_hosts: string[];
}

/**
 * One Deno permission: `true` (all), `false` (none), or a list of allowed values (paths are relative
 * to the project root).
 */
export type PermissionValue = boolean | string[];

/** The Deno permissions a handler Worker gets. */
export interface PermissionSet {
  /** Default true. */
  net: PermissionValue;
  /** Default `["."]` (the project). */
  read: PermissionValue;
  /** Default false. */
  write: PermissionValue;
  /** Default false. */
  env: PermissionValue;
  /** Default false. */
  run: PermissionValue;
  /** Default false. */
  ffi: PermissionValue;
  /** Default false. */
  sys: PermissionValue;
  /** Default true (remote and npm imports). */
  import: PermissionValue;
}

/** `[permissions]` defaults and `[permissions.handlers.<name>]` overrides. */
export interface PermissionsSection {
  /** What every handler may do unless overridden. */
  defaults: PermissionSet;
  /** Handler name (as written in the schema) to the keys it overrides. */
  handlers: Record<string, Partial<PermissionSet>>;
}

/** `[runtime.python]`. */
export interface PythonRuntimeSection {
  /** Path of libpython; `ROHAS_PYTHON_LIB` overrides it. Default: found through `python3`. */
  library: string | null;
  /** The `python3` executable used to find libpython and site-packages. Default `"python3"`. */
  executable: string;
}

/** The whole resolved configuration. */
export interface RohasConfig {
  /** `[project]`. */
  project: ProjectSection;
  /** `[server]`. */
  server: ServerSection;
  /** `[adapter]`. */
  adapter: AdapterSection;
  /** `[telemetry]`. */
  telemetry: TelemetrySection;
  /** `[workbench]`. */
  workbench: WorkbenchSection;
  /** `[state]`. */
  state: StateSection;
  /** `[permissions]`. */
  permissions: PermissionsSection;
  /** `[runtime.python]`. */
  runtime: { python: PythonRuntimeSection };
  /** `ROHAS_LOG` or `[log] level`: `error`, `warn`, `info` (default), `debug`, `trace`. */
  log: { level: "error" | "warn" | "info" | "debug" | "trace" };
}
