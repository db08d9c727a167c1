/**
 * Errors of project discovery and config loading.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

/** Where in a config file a problem is, when the TOML parser knows. */
export interface ConfigErrorOptions extends ErrorOptions {
  /** The config file as given to the parser. */
  file: string;
  /** 1-based line of a TOML syntax error. */
  line?: number;
  /** 1-based column of a TOML syntax error. */
  column?: number;
  /** The key path of a wrong value, such as `server.port`. */
  key?: string;
}

/** `config/rohas.toml` (or an environment override) cannot be read, parsed or understood. */
export class ConfigError extends RohasError {
  /** The config file as given to the parser. */
  readonly file: string;
  /** 1-based line of a TOML syntax error; null for a wrong value. */
  readonly line: number | null;
  /** 1-based column of a TOML syntax error; null for a wrong value. */
  readonly column: number | null;
  /** The key path of a wrong value (`server.port`); null for a syntax error. */
  readonly key: string | null;

  /** Creates the error.
   *
   * @param message starts with a capital, names the file (and line and column when known)
   * @param options the file, position or key, and the underlying `cause`
   */
  constructor(message: string, options: ConfigErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ConfigError";
    this.file = options.file;
    this.line = options.line ?? null;
    this.column = options.column ?? null;
    this.key = options.key ?? null;
  }
}

/** No Rohas project (or schema) exists at the given path. */
export class ProjectNotFoundError extends RohasError {
  /** The absolute path that was searched from. */
  readonly path: string;

  /** Creates the error.
   *
   * @param message starts with a capital, quotes the path
   * @param options the searched path
   */
  constructor(message: string, options: { path: string }) {
    super(message);
    this.name = "ProjectNotFoundError";
    this.path = options.path;
  }
}
