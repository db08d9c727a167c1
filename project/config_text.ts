/**
 * The text of a project's `config/rohas.toml` as written, for code that embeds it (the generated
 * `app.ts` of the embedded entry parses it at run time, environment overrides applied then).
 *
 * @module
 */

import { join } from "node:path";
import { ConfigError } from "./errors.ts";

/**
 * Reads `<projectRoot>/config/rohas.toml`.
 *
 * @param projectRoot the project directory
 * @returns the text, or null when the file does not exist
 * @throws {ConfigError} when the file exists but cannot be read
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { readConfigText } from "./config_text.ts";
 * assertEquals(await readConfigText(await Deno.makeTempDir()), null);
 * ```
 */
export async function readConfigText(projectRoot: string): Promise<string | null> {
  const file = join(projectRoot, "config", "rohas.toml");
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new ConfigError(`Cannot read "${file}": ${String(error)}`, { file, cause: error });
  }
}
