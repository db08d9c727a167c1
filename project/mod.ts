/**
 * The project around a schema: finding it on disk and reading its `config/rohas.toml`.
 *
 * @module
 */

export type {
  AdapterSection,
  PermissionSet,
  PermissionsSection,
  PermissionValue,
  ProjectLanguage,
  ProjectSection,
  PythonRuntimeSection,
  RohasConfig,
  ServerSection,
  StateSection,
  TelemetrySection,
  WorkbenchSection,
} from "./config.ts";
export type { ConfigErrorOptions } from "./errors.ts";
export { ConfigError, ProjectNotFoundError } from "./errors.ts";
export type { FindProjectOptions, ProjectLocation } from "./find_project.ts";
export { findProject } from "./find_project.ts";
export type { LoadConfigOptions, ParseConfigOptions } from "./load_config.ts";
export { CONFIG_ENV_VARS, loadConfig, LOG_LEVELS, parseConfig } from "./load_config.ts";
export { readConfigText } from "./config_text.ts";
export { ADAPTER_TYPES, STATE_TYPES, TELEMETRY_TYPES } from "./config.ts";
