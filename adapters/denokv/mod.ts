/**
 * The `denokv` adapter: Deno KV queues, embedded locally, distributed on Deno Deploy. README.md
 * states its guarantees and config keys.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import type { Adapter } from "../adapter.ts";
import { processEnv, readSettings } from "../_support/mod.ts";
import { createDenokvAdapter } from "./denokv_adapter.ts";

export { createDenokvAdapter } from "./denokv_adapter.ts";
export type { DenokvAdapter, DenokvAdapterOptions } from "./denokv_adapter.ts";

/** Where the database lives when `[adapter] path` is not set, relative to the project root. */
export const DEFAULT_DENOKV_PATH = ".rohas/events.kv";

/** Options of {@linkcode fromSettings}. */
export interface SettingsOptions {
  /** Relative paths resolve against it. Default `Deno.cwd()`. */
  projectRoot?: string;
  /** Environment variables: `ROHAS_DENOKV_PATH` overrides the path; `DENO_DEPLOYMENT_ID` (set on
   * Deno Deploy) makes an unset path mean the project's own KV. Default the process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives errors that happen in the background (a handler throwing after it settled, a failed
   * read or clean-up). Default: ignored. */
  onError?: (error: unknown) => void;
}

/**
 * Builds the adapter from the raw `[adapter]` table: `path` (default `.rohas/events.kv`; on Deno
 * Deploy, unset means the project's KV), `idempotency_window_ms` (default 600000),
 * `unhandled_retention_ms` (default 86400000), `wake_interval_ms` (default 1000 with a path, 0 on
 * Deno Deploy).
 *
 * @param settings the `[adapter]` table as written
 * @param options the project root and the environment
 * @returns the adapter, not started
 *
 * @example A KV file under the project root
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { fromSettings } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * const adapter = fromSettings({ path: "events.kv" }, { projectRoot: root, env: {} });
 * await adapter.start();
 * assert(adapter.type === "denokv" && !adapter.guarantees.orderedPerTopic);
 * await adapter.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function fromSettings(
  settings: Readonly<Record<string, unknown>>,
  options: SettingsOptions = {},
): Adapter {
  const env = options.env ?? processEnv();
  const read = readSettings("denokv", settings, env);
  const onDeploy = (env["DENO_DEPLOYMENT_ID"] ?? "") !== "";
  const path = read.string("path", "ROHAS_DENOKV_PATH", onDeploy ? "" : DEFAULT_DENOKV_PATH);
  const root = options.projectRoot ?? Deno.cwd();
  return createDenokvAdapter({
    ...(path === "" ? {} : { path: isAbsolute(path) ? path : join(root, path) }),
    idempotencyWindowMs: read.number("idempotency_window_ms", null, 600_000),
    unhandledRetentionMs: read.number("unhandled_retention_ms", null, 86_400_000),
    ...(settings["wake_interval_ms"] === undefined
      ? {}
      : { wakeIntervalMs: read.number("wake_interval_ms", null, 1000) }),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
