/**
 * Reading `config/rohas.toml` into a {@linkcode RohasConfig}: every key has a default, a syntax
 * error or a wrong value throws a {@linkcode ConfigError} (never a silent fall-back to defaults, the
 * original's defect), and a few documented environment variables override the file.
 *
 * @module
 */

import { ADAPTER_TYPES, STATE_TYPES, TELEMETRY_TYPES } from "./config.ts";
import { parse, TomlError } from "smol-toml";
import { basename, join } from "node:path";
import type {
  AdapterSection,
  PermissionSet,
  PermissionsSection,
  PermissionValue,
  ProjectLanguage,
  RohasConfig,
  StateSection,
  TelemetrySection,
} from "./config.ts";
import { ConfigError } from "./errors.ts";
import { type Table, TableReader } from "./_config_reader.ts";

/** Log levels `[log] level` and `ROHAS_LOG` accept. */
export const LOG_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

/** The environment variables that override the config file. */
export const CONFIG_ENV_VARS = [
  "ROHAS_WORKBENCH_API_KEY",
  "ROHAS_WORKBENCH_ALLOWED_ORIGINS",
  "ROHAS_WORKBENCH_ALLOWED_HOSTS",
  "ROHAS_HOST",
  "ROHAS_PORT",
  "ROHAS_INSTANCE_ID",
  "ROHAS_TELEMETRY_PATH",
  "ROHAS_TELEMETRY_URL",
  "ROHAS_LOG",
  "ROHAS_PYTHON_LIB",
  "ROHAS_STATE_TYPE",
  "ROHAS_STATE_PATH",
  "ROHAS_STATE_URL",
] as const;

/** Options of {@linkcode parseConfig}. */
export interface ParseConfigOptions {
  /** The file name shown in errors. */
  file: string;
  /** `[project] name` when the file has none. Default `"rohas-app"`. */
  projectName?: string;
  /** Environment overrides (see `CONFIG_ENV_VARS`). Default: none; the parser never reads `Deno.env`. */
  env?: Record<string, string>;
}

const LANGUAGES: Record<string, ProjectLanguage> = {
  typescript: "typescript",
  ts: "typescript",
  python: "python",
  py: "python",
};

const PERMISSION_NAMES = ["net", "read", "write", "env", "run", "ffi", "sys", "import"] as const;

/**
 * Parses the text of `config/rohas.toml` into the resolved config, defaults filled in.
 *
 * @param text the TOML text
 * @param options the file name for errors, the default project name and environment overrides
 * @returns the resolved config
 * @throws {ConfigError} on a TOML syntax error (message with `file:line:col`) or a wrong value
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { parseConfig } from "./load_config.ts";
 * const config = parseConfig("[server]\nport = 4400\n", { file: "rohas.toml" });
 * assert(config.server.port === 4400 && config.server.host === "127.0.0.1");
 * ```
 */
export function parseConfig(text: string, options: ParseConfigOptions): RohasConfig {
  const root = new TableReader(parseToml(text, options.file), "", options.file);
  const config: RohasConfig = {
    project: readProject(root.table("project"), options.projectName ?? "rohas-app"),
    server: readServer(root.table("server")),
    adapter: readAdapter(root.table("adapter")),
    telemetry: readTelemetry(root.table("telemetry")),
    workbench: {
      api_key: root.table("workbench").string("api_key", ""),
      allowed_origins: root.table("workbench").stringList("allowed_origins", []),
      allowed_hosts: root.table("workbench").stringList("allowed_hosts", []),
    },
    state: readState(root.table("state")),
    permissions: readPermissions(root.table("permissions")),
    runtime: {
      python: {
        library: nullableString(root.table("runtime").table("python"), "library"),
        executable: root.table("runtime").table("python").string("executable", "python3"),
      },
    },
    log: { level: root.table("log").choice("level", "info", LOG_LEVELS) },
  };
  applyEnv(config, options.env ?? {}, options.file);
  return config;
}

function parseToml(text: string, file: string): Table {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const detail = error.message.replace(/^Invalid TOML document: /, "").split("\n")[0];
    throw new ConfigError(
      `Invalid TOML at ${file}:${error.line}:${error.column}: ${detail}`,
      { file, line: error.line, column: error.column, cause: error },
    );
  }
}

function readProject(section: TableReader, defaultName: string): RohasConfig["project"] {
  return {
    name: section.string("name", defaultName),
    version: section.string("version", "0.1.0"),
    language: readLanguage(section),
  };
}

function readLanguage(section: TableReader): ProjectLanguage {
  const written = section.string("language", "typescript");
  const language = LANGUAGES[written.toLowerCase()];
  if (language !== undefined) return language;
  if (["rust", "rs"].includes(written.toLowerCase())) {
    section.fail(
      "language",
      `"${written}" is not supported by Rohas for Deno: use "typescript" or "python"`,
    );
  }
  section.fail("language", 'must be one of "typescript", "ts", "python", "py"', written);
}

function readServer(section: TableReader): RohasConfig["server"] {
  return {
    host: section.string("host", "127.0.0.1"),
    port: section.integer("port", 3000, { min: 1, max: 65535 }),
    instance_id: section.string("instance_id", ""),
    enable_cors: section.boolean("enable_cors", true),
    max_body_bytes: section.integer("max_body_bytes", 1048576, { min: 1 }),
    unknown_fields: section.choice("unknown_fields", "accept", ["accept", "reject"] as const),
    handler_timeout_ms: section.integer("handler_timeout_ms", 30000, { min: 1 }),
    shutdown_timeout_ms: section.integer("shutdown_timeout_ms", 10000, { min: 0 }),
    workers: readWorkers(section),
  };
}

/** `workers`: `"auto"` (default) or a count from 0 to 64. */
function readWorkers(section: TableReader): number | "auto" {
  if (typeof section.raw.workers !== "number") {
    if (section.choice("workers", "auto", ["auto"]) === "auto") return "auto";
  }
  return section.integer("workers", 0, { min: 0, max: 64 });
}

function readAdapter(section: TableReader): AdapterSection {
  if (section.has("aws_type")) section.choice("aws_type", "sqs", ["sqs", "eventbridge"]);
  return {
    type: section.choice("type", "memory", ADAPTER_TYPES),
    buffer_size: section.integer("buffer_size", 1000, { min: 1 }),
    max_attempts: section.integer("max_attempts", 5, { min: 1 }),
    backoff_ms: section.integer("backoff_ms", 500, { min: 0 }),
    max_backoff_ms: section.integer("max_backoff_ms", 60000, { min: 0 }),
    payload_checks: section.choice("payload_checks", "refuse", ["refuse", "log"] as const),
    settings: { ...section.raw },
  };
}

function readTelemetry(section: TableReader): TelemetrySection {
  return {
    type: section.choice("type", "rocksdb", TELEMETRY_TYPES),
    path: section.string("path", ".rohas/telemetry"),
    retention_days: section.integer("retention_days", 30, { min: 0 }),
    max_cache_size: section.integer("max_cache_size", 1000, { min: 0 }),
    max_persisted_per_second: section.integer("max_persisted_per_second", 200, { min: 0 }),
    enable_metrics: section.boolean("enable_metrics", true),
    enable_logs: section.boolean("enable_logs", true),
    enable_traces: section.boolean("enable_traces", true),
    settings: { ...section.raw },
  };
}

function readState(section: TableReader): StateSection {
  return {
    type: section.choice("type", "denokv", STATE_TYPES),
    path: section.string("path", ".rohas/state.kv"),
    url: section.string("url", ""),
  };
}

const DEFAULT_PERMISSIONS: PermissionSet = {
  net: true,
  read: ["."],
  write: false,
  env: false,
  run: false,
  ffi: false,
  sys: false,
  import: true,
};

function readPermissions(section: TableReader): PermissionsSection {
  const defaults = { ...DEFAULT_PERMISSIONS, ...readPermissionSet(section, ["handlers"]) };
  const handlers: Record<string, Partial<PermissionSet>> = {};
  const handlerTables = section.table("handlers");
  for (const name of Object.keys(handlerTables.raw).sort()) {
    handlers[name] = readPermissionSet(handlerTables.table(name), []);
  }
  return { defaults, handlers };
}

/** The permission keys written in a table; unknown keys are errors (a typo would widen nothing). */
function readPermissionSet(section: TableReader, allowed: string[]): Partial<PermissionSet> {
  const set: Partial<PermissionSet> = {};
  for (const [key, value] of Object.entries(section.raw)) {
    if (allowed.includes(key)) continue;
    if (!(PERMISSION_NAMES as readonly string[]).includes(key)) {
      section.fail(key, `is not a permission (${PERMISSION_NAMES.join(", ")})`, value);
    }
    set[key as keyof PermissionSet] = permissionValue(section, key, value);
  }
  return set;
}

function permissionValue(section: TableReader, key: string, value: unknown): PermissionValue {
  if (typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return [...value];
  section.fail(key, "must be true, false or a list of strings", value);
}

function nullableString(section: TableReader, key: string): string | null {
  return section.has(key) ? section.string(key, "") : null;
}

function applyEnv(config: RohasConfig, env: Record<string, string>, file: string): void {
  const apiKey = env.ROHAS_WORKBENCH_API_KEY;
  if (apiKey) config.workbench.api_key = apiKey;
  const origins = env.ROHAS_WORKBENCH_ALLOWED_ORIGINS;
  if (origins !== undefined) {
    config.workbench.allowed_origins = origins.split(",").map((o) => o.trim()).filter((o) => o);
  }
  const hosts = env.ROHAS_WORKBENCH_ALLOWED_HOSTS;
  if (hosts !== undefined) {
    config.workbench.allowed_hosts = hosts.split(",").map((h) => h.trim()).filter((h) => h);
  }
  const pythonLib = env.ROHAS_PYTHON_LIB;
  if (pythonLib) config.runtime.python.library = pythonLib;
  const reader = new TableReader({ ...env }, "", `${file} (environment)`);
  applyInstanceEnv(config, env, reader);
  if (env.ROHAS_STATE_TYPE) {
    config.state.type = reader.choice("ROHAS_STATE_TYPE", "denokv", STATE_TYPES);
  }
  if (env.ROHAS_STATE_PATH) config.state.path = env.ROHAS_STATE_PATH;
  if (env.ROHAS_STATE_URL) config.state.url = env.ROHAS_STATE_URL;
  const log = env.ROHAS_LOG;
  if (log) {
    const level = new TableReader({ ROHAS_LOG: log }, "", `${file} (environment)`)
      .choice("ROHAS_LOG", "info", LOG_LEVELS);
    config.log.level = level;
  }
}

/** Where this instance listens, what it is called and where its telemetry goes. */
function applyInstanceEnv(
  config: RohasConfig,
  env: Record<string, string>,
  reader: TableReader,
): void {
  if (env.ROHAS_HOST) config.server.host = env.ROHAS_HOST;
  if (env.ROHAS_PORT) {
    const port = Number(env.ROHAS_PORT);
    if (!(/^[0-9]+$/.test(env.ROHAS_PORT) && port >= 1 && port <= 65535)) {
      reader.fail("ROHAS_PORT", "must be an integer between 1 and 65535", env.ROHAS_PORT);
    }
    config.server.port = port;
  }
  if (env.ROHAS_INSTANCE_ID) config.server.instance_id = env.ROHAS_INSTANCE_ID;
  if (env.ROHAS_TELEMETRY_PATH) config.telemetry.path = env.ROHAS_TELEMETRY_PATH;
  if (env.ROHAS_TELEMETRY_URL) config.telemetry.settings.url = env.ROHAS_TELEMETRY_URL;
}

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Environment overrides. Default: the variables of `CONFIG_ENV_VARS` read from `Deno.env`. */
  env?: Record<string, string>;
}

/**
 * Reads `<projectRoot>/config/rohas.toml`; a missing file gives the defaults and `file: null`.
 *
 * @param projectRoot the project directory (see `findProject`)
 * @param options environment overrides
 * @returns the resolved config and the file it came from
 * @throws {ConfigError} on a TOML syntax error or a wrong value
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { loadConfig } from "./load_config.ts";
 * const { config, file } = await loadConfig(await Deno.makeTempDir(), { env: {} });
 * assert(file === null && config.server.port === 3000);
 * ```
 */
export async function loadConfig(
  projectRoot: string,
  options: LoadConfigOptions = {},
): Promise<{ config: RohasConfig; file: string | null }> {
  const file = join(projectRoot, "config", "rohas.toml");
  const env = options.env ?? readEnv();
  const parseOptions = { file, projectName: basename(projectRoot), env };
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new ConfigError(`Cannot read "${file}": ${String(error)}`, { file, cause: error });
    }
    return { config: parseConfig("", parseOptions), file: null };
  }
  return { config: parseConfig(text, parseOptions), file };
}

function readEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of CONFIG_ENV_VARS) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}
