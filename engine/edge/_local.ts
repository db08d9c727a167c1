/**
 * Which API routes an edge serves itself: those whose handler and middlewares are TypeScript on
 * the default permission profile (or one with the very same permissions) and imported fine.
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

/** The routes whose TypeScript handler and middlewares run with the default permissions.
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
