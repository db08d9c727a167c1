/**
 * Permission profiles: the Deno permissions each group of handler Workers runs with, computed from
 * the `[permissions]` section of `config/rohas.toml`.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import type { PermissionSet, PermissionsSection, PermissionValue } from "../../project/mod.ts";

/** The `deno.permissions` option of `new Worker()`. */
export type WorkerPermissions = Record<keyof PermissionSet, boolean | string[]>;

/** A profile's permissions plus the key that identifies equal permission sets. */
export interface ResolvedProfile {
  /** Canonical JSON of `permissions`; profiles with equal keys share Workers. */
  key: string;
  permissions: WorkerPermissions;
}

const PERMISSION_NAMES = ["net", "read", "write", "env", "run", "ffi", "sys", "import"] as const;

/**
 * Resolves the permissions of profile `profile` (`default` or a `[permissions.handlers.<name>]` key).
 * Relative `read`/`write` paths are resolved against `root`; `read` always includes `<root>/src`,
 * because a Worker must read a handler's source to import it.
 *
 * @param section the resolved `[permissions]` config
 * @param profile the profile name of a handler reference
 * @param root absolute project root
 * @returns the permissions and their canonical key
 */
export function resolveProfile(
  section: PermissionsSection,
  profile: string,
  root: string,
): ResolvedProfile {
  const overrides = Object.hasOwn(section.handlers, profile) ? section.handlers[profile] : {};
  const merged: PermissionSet = { ...section.defaults, ...overrides };
  const permissions = {} as WorkerPermissions;
  for (const name of PERMISSION_NAMES) {
    permissions[name] = resolveValue(name, merged[name], root);
  }
  permissions.read = withSource(permissions.read, join(root, "src"));
  return { key: JSON.stringify(permissions), permissions };
}

function resolveValue(name: string, value: PermissionValue, root: string): boolean | string[] {
  if (typeof value === "boolean") return value;
  const resolved = name === "read" || name === "write"
    ? value.map((path) => isAbsolute(path) ? path : join(root, path))
    : [...value];
  return [...new Set(resolved)].sort();
}

function withSource(read: boolean | string[], source: string): boolean | string[] {
  if (read === true) return true;
  const paths = read === false ? [] : read;
  return paths.includes(source) ? paths : [...paths, source].sort();
}

/**
 * The config key a denied handler should change: `[permissions.handlers.<name>]` with the
 * handler's override key (its profile) or, for handlers on the default profile, its schema name.
 *
 * @param profile the handler reference's profile
 * @param name the handler reference's schema name
 * @returns the TOML table name
 */
export function overrideTable(profile: string, name: string): string {
  return `[permissions.handlers.${profile === "default" ? name : profile}]`;
}
