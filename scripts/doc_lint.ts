/**
 * `deno doc --lint` over every module `deno.json` exports, so that a new export is covered the
 * day it is added (docs/design.md#explicit-public-surface).
 *
 *   deno run --allow-read --allow-run scripts/doc_lint.ts
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The files `deno.json` exports, in the order written.
 *
 * @param root the directory holding `deno.json`
 * @returns their paths, relative to `root`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { exportedModules } from "./doc_lint.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/deno.json`, '{ "exports": { ".": "./mod.ts", "./cli": "./cli.ts" } }');
 * assertEquals(await exportedModules(root), ["./mod.ts", "./cli.ts"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function exportedModules(root: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as {
    exports?: string | Record<string, string>;
  };
  const exports = config.exports ?? {};
  return typeof exports === "string" ? [exports] : Object.values(exports);
}

if (import.meta.main) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const modules = await exportedModules(root);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...modules],
    cwd: root,
  }).spawn().status;
  Deno.exit(code);
}
