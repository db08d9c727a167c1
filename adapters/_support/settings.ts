/**
 * Reads an adapter's settings: the raw `[adapter]` table, overridden by environment variables.
 *
 * @module
 */

import { AdapterError } from "../errors.ts";

/** Options every broker adapter factory takes. */
export interface BrokerAdapterOptions {
  /** Environment variables consulted for overrides. Default: the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The service (project) name, used to name streams and queues. Default `"rohas"`. */
  service?: string;
  /** Receives errors that happen in the background (a handler throwing after it settled, a lost
   * connection being retried). Default: ignored. */
  onError?: (error: unknown) => void;
}

/** A typed view of one adapter's settings. */
export interface SettingsReader {
  /** A string setting: the environment variable wins, then the key, then the fallback. */
  string(key: string, env: string | null, fallback: string): string;
  /** A number setting (same precedence). */
  number(key: string, env: string | null, fallback: number): number;
  /** Where a setting's value came from, for error messages: `ROHAS_X` or `[adapter] key`. */
  source(key: string, env: string | null): string;
}

/**
 * Wraps the `[adapter]` table and the environment.
 *
 * @param type the adapter type, for error messages
 * @param settings the raw `[adapter]` table
 * @param env the environment
 * @returns the reader
 */
export function readSettings(
  type: string,
  settings: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): SettingsReader {
  const raw = (key: string, name: string | null): unknown => {
    const fromEnv = name === null ? undefined : env[name];
    return fromEnv !== undefined && fromEnv !== "" ? fromEnv : settings[key];
  };
  return {
    string(key, name, fallback) {
      const value = raw(key, name);
      if (value === undefined || value === null || value === "") return fallback;
      if (Array.isArray(value)) return value.map(String).join(",");
      return String(value);
    },
    number(key, name, fallback) {
      const value = raw(key, name);
      if (value === undefined || value === null || value === "") return fallback;
      const number = Number(value);
      if (!Number.isFinite(number)) {
        throw new AdapterError(
          `Invalid ${type} adapter setting ${this.source(key, name)}: "${value}" is not a number`,
        );
      }
      return number;
    },
    source(key, name) {
      const fromEnv = name === null ? undefined : env[name];
      return fromEnv !== undefined && fromEnv !== "" ? name as string : `[adapter] ${key}`;
    },
  };
}

/**
 * The process environment, or an empty one when env access is not granted.
 *
 * @returns a snapshot of the environment
 */
export function processEnv(): Record<string, string | undefined> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}
