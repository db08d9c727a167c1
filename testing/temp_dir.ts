/**
 * Temporary directories for tests, removed when disposed (`await using`).
 *
 * @module
 */

import { dirname, join } from "node:path";

/** A temporary directory; disposing it removes it with everything inside. */
export interface TempDir extends AsyncDisposable {
  /** The directory, absolute. */
  readonly path: string;
  /**
   * Writes a file below the directory, creating its parent folders.
   *
   * @param file a path relative to the directory
   * @param text the content
   */
  write(file: string, text: string): Promise<void>;
}

/** Options of {@linkcode tempDir}. */
export interface TempDirOptions {
  /** The directory name's prefix. Default `"rohas_test_"`. */
  prefix?: string;
  /** Files to write at once: relative path to content. Default: none. */
  files?: Record<string, string>;
}

/**
 * Creates a temporary directory, with files in it if asked.
 *
 * @param options its name's prefix and its first files
 * @returns the directory, removed on dispose
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { tempDir } from "./mod.ts";
 *
 * let path = "";
 * {
 *   await using dir = await tempDir({ files: { "schema/app.ro": "model User {}\n" } });
 *   path = dir.path;
 *   assertEquals(await Deno.readTextFile(`${path}/schema/app.ro`), "model User {}\n");
 * }
 * assertEquals(await Deno.stat(path).catch(() => "removed"), "removed");
 * ```
 */
export async function tempDir(options: TempDirOptions = {}): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: options.prefix ?? "rohas_test_" });
  const write = async (file: string, text: string) => {
    await Deno.mkdir(dirname(join(path, file)), { recursive: true });
    await Deno.writeTextFile(join(path, file), text);
  };
  for (const [file, text] of Object.entries(options.files ?? {})) await write(file, text);
  return { path, write, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
