/**
 * A permission set as `deno run` flags.
 *
 * @module
 */

import type { WorkerPermissions } from "../runtime/mod.ts";

const FLAGS: Record<keyof WorkerPermissions, string> = {
  net: "--allow-net",
  read: "--allow-read",
  write: "--allow-write",
  env: "--allow-env",
  run: "--allow-run",
  ffi: "--allow-ffi",
  sys: "--allow-sys",
  import: "--allow-import",
};

/** The `--allow-*` flags of a permission set (nothing for a denied permission).
 *
 * @param permissions the resolved profile permissions
 * @returns flags such as `--allow-net=127.0.0.1:3000` or `--allow-env`
 */
export function permissionFlags(permissions: WorkerPermissions): string[] {
  const flags: string[] = [];
  for (const name of Object.keys(FLAGS) as (keyof WorkerPermissions)[]) {
    const value = permissions[name];
    if (value === true) flags.push(FLAGS[name]);
    else if (Array.isArray(value) && value.length > 0) {
      flags.push(`${FLAGS[name]}=${value.join(",")}`);
    }
  }
  return flags;
}
