/**
 * Applies generated files to a project directory with the overwrite policy: generated files are
 * written when their content changed, stale generated files are deleted, user files are created only
 * when absent.
 *
 * @module
 */

import { CodegenError } from "./errors.ts";
import type { GeneratedFile } from "./generate_project.ts";

/** Options of {@linkcode writeProject}. */
export interface WriteOptions {
  /** Absolute path of the project root. */
  root: string;
  /**
   * The generated folder relative to the root; files in it that the schema no longer produces are
   * deleted. Default `"src/generated"`.
   */
  generatedDir?: string;
}

/** What {@linkcode writeProject} did, project-relative paths, sorted. */
export interface WriteSummary {
  /** Generated files written because they were new or changed. */
  written: string[];
  /** Generated files already up to date. */
  unchanged: string[];
  /** Stale generated files removed. */
  deleted: string[];
  /** User files created because they did not exist. */
  created: string[];
  /** User files left as they were. */
  kept: string[];
}

/**
 * Writes the files of {@linkcode generateProject} under `root`.
 *
 * @param files the generated files
 * @param options the project root and generated folder
 * @returns what was written, left, created and deleted
 * @throws {CodegenError} when a file cannot be read, written or deleted
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { generateProject, writeProject } from "./mod.ts";
 * import { emptySchema } from "../parser/ast.ts";
 * const root = await Deno.makeTempDir();
 * const files = generateProject(emptySchema(), { language: "typescript" });
 * const first = await writeProject(files, { root });
 * const second = await writeProject(files, { root });
 * assert(first.written.length > 0 && second.written.length === 0);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeProject(
  files: readonly GeneratedFile[],
  options: WriteOptions,
): Promise<WriteSummary> {
  const summary: WriteSummary = { written: [], unchanged: [], deleted: [], created: [], kept: [] };
  for (const file of files) {
    const full = join(options.root, file.path);
    const current = await readIfExists(full);
    if (file.owner === "user") {
      if (current !== null) summary.kept.push(file.path);
      else await writeText(full, file.content).then(() => summary.created.push(file.path));
    } else if (current === file.content) {
      summary.unchanged.push(file.path);
    } else {
      await writeText(full, file.content);
      summary.written.push(file.path);
    }
  }
  const generatedDir = options.generatedDir ?? "src/generated";
  const wanted = new Set(files.map((f) => f.path));
  summary.deleted = await deleteStale(options.root, generatedDir, wanted);
  for (const list of Object.values(summary)) list.sort();
  return summary;
}

function join(root: string, path: string): string {
  return root.endsWith("/") ? root + path : `${root}/${path}`;
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new CodegenError(`Cannot read "${path}"`, { cause: error });
  }
}

async function writeText(path: string, content: string): Promise<void> {
  try {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, content);
  } catch (error) {
    throw new CodegenError(`Cannot write "${path}"`, { cause: error });
  }
}

/** Deletes files under `dir` not in `wanted`, then folders left empty; skips `__pycache__`. */
async function deleteStale(root: string, dir: string, wanted: Set<string>): Promise<string[]> {
  const deleted: string[] = [];
  async function visit(rel: string): Promise<boolean> {
    let empty = true;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(join(root, rel)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw new CodegenError(`Cannot list "${join(root, rel)}"`, { cause: error });
    }
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory && entry.name !== "__pycache__") {
        if (await visit(path)) await remove(join(root, path));
        else empty = false;
      } else if (entry.isFile && !wanted.has(path)) {
        await remove(join(root, path));
        deleted.push(path);
      } else {
        empty = false;
      }
    }
    return empty;
  }
  await visit(dir);
  return deleted;
}

async function remove(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    throw new CodegenError(`Cannot delete "${path}"`, { cause: error });
  }
}
