/**
 * Finding the project a CLI command works on, from a path argument or the working directory.
 * Every path returned is absolute (the original resolved some relative to the schema path).
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { ProjectNotFoundError } from "./errors.ts";

/** A located project. */
export interface ProjectLocation {
  /** The project directory: holds `config/rohas.toml` and/or `schema/`. */
  root: string;
  /** What to parse: `<root>/schema`, or the schema directory or `.ro` file that was given. */
  schemaDir: string;
  /** `<root>/config/rohas.toml` when it exists. */
  configFile: string | null;
}

/** Options of {@linkcode findProject}. */
export interface FindProjectOptions {
  /** The directory a relative `start` is resolved against. Default `Deno.cwd()`. */
  cwd?: string;
  /**
   * Prefer the whole project around a directory over the `.ro` files in it: what a command run
   * without a path argument wants from inside `schema/api`. Default false.
   */
  wholeProject?: boolean;
}

/**
 * Locates the project at or above `start`.
 *
 * - `start` is a project directory (has `config/rohas.toml` or `schema/`): that project.
 * - `start` is a `.ro` file, or a directory holding `.ro` files (a schema directory, as the
 *   original CLI accepts): that is what gets parsed; the root is the nearest project directory
 *   above it, else the parent of a directory named `schema`, else the directory itself.
 * - anything else: the nearest project directory above `start`.
 *
 * With `wholeProject`, a directory inside a project always gives the whole project.
 *
 * @param start a path (relative paths resolve against `options.cwd`)
 * @param options the working directory
 * @returns absolute root, schema path and config file
 * @throws {ProjectNotFoundError} when `start` does not exist or no project is found
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { findProject } from "./find_project.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/schema/models`, { recursive: true });
 * const project = await findProject(`${root}/schema/models`);
 * assert(project.root === root && project.configFile === null);
 * ```
 */
export async function findProject(
  start: string,
  options: FindProjectOptions = {},
): Promise<ProjectLocation> {
  const path = resolve(options.cwd ?? Deno.cwd(), start);
  const info = await statOrNull(path);
  if (info === null) {
    throw new ProjectNotFoundError(`Schema path not found: "${path}"`, { path });
  }
  if (info.isFile) return await located(path, await rootAbove(dirname(path)) ?? dirname(path));
  if (options.wholeProject) {
    const root = await rootAbove(path);
    if (root !== null) return await located(join(root, "schema"), root);
  }
  if (await isProjectDir(path)) return await located(join(path, "schema"), path);
  if (await holdsSchemaFiles(path, 3)) {
    const fallback = basename(path) === "schema" ? dirname(path) : path;
    return await located(path, await rootAbove(dirname(path)) ?? fallback);
  }
  const root = await rootAbove(dirname(path));
  if (root === null) {
    throw new ProjectNotFoundError(
      `No Rohas project found at or above "${path}": expected config/rohas.toml or a schema/ directory`,
      { path },
    );
  }
  return await located(join(root, "schema"), root);
}

async function located(schemaDir: string, root: string): Promise<ProjectLocation> {
  const config = join(root, "config", "rohas.toml");
  const configFile = (await statOrNull(config))?.isFile ? config : null;
  return { root, schemaDir, configFile };
}

async function rootAbove(directory: string): Promise<string | null> {
  for (let current = directory;; current = dirname(current)) {
    if (await isProjectDir(current)) return current;
    if (dirname(current) === current) return null;
  }
}

async function isProjectDir(directory: string): Promise<boolean> {
  const config = await statOrNull(join(directory, "config", "rohas.toml"));
  const schema = await statOrNull(join(directory, "schema"));
  return (config?.isFile ?? false) || (schema?.isDirectory ?? false);
}

/** Whether `.ro` files lie within `depth` levels of a directory (bounded: it may be a home dir). */
async function holdsSchemaFiles(directory: string, depth: number): Promise<boolean> {
  const subdirectories: string[] = [];
  try {
    for await (const entry of Deno.readDir(directory)) {
      if (entry.isFile && entry.name.endsWith(".ro")) return true;
      if (entry.isDirectory && !entry.name.startsWith(".") && entry.name !== "node_modules") {
        subdirectories.push(join(directory, entry.name));
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) return false;
    throw error;
  }
  if (depth <= 1) return false;
  for (const subdirectory of subdirectories.sort()) {
    if (await holdsSchemaFiles(subdirectory, depth - 1)) return true;
  }
  return false;
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return null;
    }
    throw error;
  }
}
