/**
 * The id of this instance: `[server] instance_id` (`ROHAS_INSTANCE_ID`), else `<hostname>-<pid>`.
 *
 * @module
 */

import type { RohasConfig } from "../../project/mod.ts";

/**
 * The instance id an app runs under.
 *
 * @param config the resolved config
 * @returns the configured id, else `<hostname>-<pid>` (a random id when the hostname is not readable)
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { instanceIdOf } from "./instance_id.ts";
 * const id = instanceIdOf({ server: { instance_id: "web-1" } });
 * assertEquals(id, "web-1");
 * ```
 */
export function instanceIdOf(
  config: { server: Pick<RohasConfig["server"], "instance_id"> },
): string {
  if (config.server.instance_id !== "") return config.server.instance_id;
  return `${hostname()}-${Deno.pid}`;
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch (error) {
    // Without `--allow-sys=hostname` the pid alone could repeat on another machine.
    if (
      !(error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied)
    ) {
      throw error;
    }
    return crypto.randomUUID().slice(0, 8);
  }
}
