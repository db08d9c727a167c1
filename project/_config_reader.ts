/**
 * Typed reading of one TOML table: each read returns the value or the default, or throws a
 * `ConfigError` naming the key path and what was expected.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";

/** A parsed TOML table. */
export type Table = Record<string, unknown>;

/** Shows a TOML value in a message: strings quoted, tables and arrays as JSON. */
export function describe(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/** Whether a value is a TOML table (not an array, not a date). */
export function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

const NOT_SHOWN = Symbol("not shown");

/** Reads the keys of one table, such as `[server]` or `[permissions.handlers.x]`. */
export class TableReader {
  readonly #table: Table;
  readonly #section: string;
  readonly #file: string;

  /**
   * @param table the table as parsed
   * @param section its dotted name without brackets (`server`, `permissions.handlers.x`)
   * @param file the config file, for error messages
   */
  constructor(table: Table, section: string, file: string) {
    this.#table = table;
    this.#section = section;
    this.#file = file;
  }

  /** The table as written. */
  get raw(): Table {
    return this.#table;
  }

  /** Whether the key is written. */
  has(key: string): boolean {
    return this.#table[key] !== undefined;
  }

  string(key: string, fallback: string): string {
    const value = this.#table[key];
    if (value === undefined) return fallback;
    if (typeof value !== "string") this.fail(key, "must be a string", value);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.#table[key];
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") this.fail(key, "must be true or false", value);
    return value;
  }

  /** An integer in `[min, max]`. */
  integer(key: string, fallback: number, range: { min: number; max?: number }): number {
    const value = this.#table[key];
    if (value === undefined) return fallback;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    const ok = typeof value === "number" && Number.isInteger(value) && value >= range.min &&
      value <= max;
    if (!ok) {
      const expected = range.max === undefined
        ? `an integer of at least ${range.min}`
        : `an integer between ${range.min} and ${range.max}`;
      this.fail(key, `must be ${expected}`, value);
    }
    return value as number;
  }

  stringList(key: string, fallback: string[]): string[] {
    const value = this.#table[key];
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      this.fail(key, "must be a list of strings", value);
    }
    return [...value];
  }

  /** One of the accepted values, compared case-insensitively, returned lower-cased. */
  choice<T extends string>(key: string, fallback: T, accepted: readonly T[]): T {
    const value = this.string(key, fallback).toLowerCase();
    if (!(accepted as readonly string[]).includes(value)) {
      this.fail(key, `must be one of ${accepted.map((a) => `"${a}"`).join(", ")}`, value);
    }
    return value as T;
  }

  /** A nested table, or an empty one when absent. */
  table(key: string): TableReader {
    const value = this.#table[key];
    const section = this.#section === "" ? key : `${this.#section}.${key}`;
    if (value === undefined) return new TableReader({}, section, this.#file);
    if (!isTable(value)) this.fail(key, "must be a table", value);
    return new TableReader(value, section, this.#file);
  }

  /** Throws the `ConfigError` for a wrong value of `key`; the value is shown unless omitted. */
  fail(key: string, problem: string, value: unknown = NOT_SHOWN): never {
    const where = this.#section === "" ? key : `[${this.#section}] ${key}`;
    const got = value === NOT_SHOWN ? "" : `, got ${describe(value)}`;
    throw new ConfigError(
      `Invalid config "${this.#file}": ${where} ${problem}${got}`,
      { file: this.#file, key: this.#section === "" ? key : `${this.#section}.${key}` },
    );
  }
}
