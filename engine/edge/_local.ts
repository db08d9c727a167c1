/**
 * Which API routes an edge serves itself: those whose handler and middlewares are TypeScript on
 * the default permission profile (or one with the very same permissions) and imported fine, and
 * only when that profile grants the network (`net = true`). An edge must listen on the public port
 * and reach the main process; handler code in its isolate shares its permissions, so with any
 * narrower `net` the edge would let handler code reach what `rohas dev`'s Workers deny. Such a
 * profile's handlers run in the main process's Workers, with exactly its permissions.
 *
 * @module
 */

import type { AppModel, RouteSpec } from "../app_model.ts";
import type { HandlerRef } from "../runtime/contract.ts";
import type { PermissionsSection } from "../../project/mod.ts";
import { resolveProfile } from "../runtime/mod.ts";

/** What edges run themselves: routes by index in `model.routes`, and the files they need. */
export interface EdgeShare {
  /** Indexes of the routes whose handler and middlewares all run with the default permissions. */
  routes: number[];
  /** Their handler files (absolute), sorted. */
  files: string[];
}

/**
 * Why edges cannot run handler code of the default profile, or null when they can: an edge must
 * listen and reach the main process, so its profile must grant the whole network already.
 *
 * @param permissions the `[permissions]` config
 * @param root the project root
 * @returns a sentence for the startup output, or null
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { edgesDenied } from "./_local.ts";
 * const section = { defaults: { net: false, read: [], write: false, env: false, run: false,
 *   ffi: false, sys: false, import: true }, handlers: {} };
 * assert(edgesDenied(section, "/srv/app")?.startsWith("No edge processes"));
 * assertEquals(edgesDenied({ ...section, defaults: { ...section.defaults, net: true } }, "/srv/app"), null);
 * ```
 */
export function edgesDenied(permissions: PermissionsSection, root: string): string | null {
  if (resolveProfile(permissions, "default", root).permissions.net === true) return null;
  return "No edge processes: the default permission profile does not grant net = true, which an " +
    "edge's listening would widen; the main process serves every request";
}

/** The routes whose TypeScript handler and middlewares run with the default permissions (none
 * unless they grant `net = true`).
 *
 * @param model the application model
 * @param permissions the `[permissions]` config
 * @param root the project root
 * @returns the routes and their files
 */
export function edgeShare(
  model: AppModel,
  permissions: PermissionsSection,
  root: string,
): EdgeShare {
  if (edgesDenied(permissions, root) !== null) return { routes: [], files: [] };
  const key = resolveProfile(permissions, "default", root).key;
  const keys = new Map<string, string>();
  const onDefault = (ref: HandlerRef) => {
    if (ref.language !== "typescript") return false;
    let profileKey = keys.get(ref.profile);
    if (profileKey === undefined) {
      profileKey = resolveProfile(permissions, ref.profile, root).key;
      keys.set(ref.profile, profileKey);
    }
    return profileKey === key;
  };
  const files = new Set<string>();
  const routes: number[] = [];
  model.routes.forEach((route, index) => {
    const refs = [route.handler, ...route.middlewares];
    if (!refs.every(onDefault)) return;
    routes.push(index);
    for (const ref of refs) files.add(ref.file);
  });
  return { routes, files: [...files].sort() };
}

/** The routes an edge serves: those of its share whose handler files were all imported.
 *
 * @param model the application model
 * @param share the indexes of the routes the main isolate gave this edge
 * @param imported the project-relative POSIX paths of the imported modules
 * @param root the project root
 * @returns the route objects of `model`
 */
export function localRoutes(
  model: AppModel,
  share: { routes: readonly number[]; imported: ReadonlySet<string> },
  root: string,
): Set<RouteSpec> {
  const { imported } = share;
  const prefix = `${root}/`;
  const isImported = (ref: HandlerRef) =>
    ref.language === "typescript" && ref.file.startsWith(prefix) &&
    imported.has(ref.file.slice(prefix.length));
  const routes = share.routes.map((index) => model.routes[index]!);
  return new Set(routes.filter((route) => [route.handler, ...route.middlewares].every(isImported)));
}
