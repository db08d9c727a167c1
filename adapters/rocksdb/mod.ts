/**
 * The `rocksdb` adapter: embedded, durable, single node, on `npm:rocksdb`. README.md states its
 * guarantees and config keys.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import type { Adapter } from "../adapter.ts";
import type { Clock } from "../memory/mod.ts";
import { processEnv, readSettings } from "../_support/mod.ts";
import { createRocksdbAdapter } from "./rocksdb_adapter.ts";

export { createRocksdbAdapter } from "./rocksdb_adapter.ts";
export type { RocksdbAdapter, RocksdbAdapterOptions } from "./rocksdb_adapter.ts";

/** Where the database lives when `[adapter] path` is not set, relative to the project root. */
export const DEFAULT_ROCKSDB_PATH = ".rohas/events";

/** Options of {@linkcode fromSettings}. */
export interface SettingsOptions {
  /** Relative paths resolve against it. Default `Deno.cwd()`. */
  projectRoot?: string;
  /** Time and timers. Default the real clock. */
  clock?: Clock;
  /** Environment variables consulted for overrides (`ROHAS_ROCKSDB_PATH`). Default the process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives errors that happen in the background (a handler throwing after it settled, a failed
   * read or clean-up). Default: ignored. */
  onError?: (error: unknown) => void;
}

/**
 * Builds the adapter from the raw `[adapter]` table: `path` (default `.rohas/events`),
 * `idempotency_window_ms` (default 600000), `unhandled_limit` (default 1000).
 *
 * @param settings the `[adapter]` table as written
 * @param options the project root, the clock, the environment
 * @returns the adapter, not started
 *
 * @example A database under the project root
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { fromSettings } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * const adapter = fromSettings({ path: "events" }, { projectRoot: root, env: {} });
 * await adapter.start();
 * assert(adapter.guarantees.durable);
 * await adapter.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function fromSettings(
  settings: Readonly<Record<string, unknown>>,
  options: SettingsOptions = {},
): Adapter {
  const read = readSettings("rocksdb", settings, options.env ?? processEnv());
  const path = read.string("path", "ROHAS_ROCKSDB_PATH", DEFAULT_ROCKSDB_PATH);
  const root = options.projectRoot ?? Deno.cwd();
  return createRocksdbAdapter({
    path: isAbsolute(path) ? path : join(root, path),
    idempotencyWindowMs: read.number("idempotency_window_ms", null, 600_000),
    unhandledLimit: read.number("unhandled_limit", null, 1000),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
