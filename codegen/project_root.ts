/**
 * Where the project root is for an output dir (docs/compatibility.md#project-root, fixed: the path
 * is made absolute first, so the default relative `src` gives its real parent instead of writing
 * project files into `src/`).
 *
 * @module
 */

import { basename, dirname, isAbsolute, resolve } from "node:path";

/** A resolved output location. */
export interface OutputLocation {
  /** Absolute project root. */
  root: string;
  /** The output dir relative to the root, POSIX separators; `""` when it is the root. */
  outputDir: string;
}

/**
 * Resolves an output dir: the root is the parent of a dir named `src` (unless that parent is the file
 * system root), else the output dir itself.
 *
 * @param outputDir the output dir, absolute or relative to `cwd`
 * @param cwd the working directory
 * @returns the absolute root and the output dir relative to it
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { resolveOutput } from "./project_root.ts";
 * const where = resolveOutput("src", "/home/me/app");
 * assert(where.root === "/home/me/app" && where.outputDir === "src");
 * ```
 */
export function resolveOutput(outputDir: string, cwd: string): OutputLocation {
  const absolute = isAbsolute(outputDir) ? resolve(outputDir) : resolve(cwd, outputDir);
  const parent = dirname(absolute);
  if (basename(absolute) === "src" && parent !== absolute && parent !== "/") {
    return { root: parent, outputDir: "src" };
  }
  return { root: absolute, outputDir: "" };
}
