/**
 * Handler files no schema entry names any more ("orphans"): after an API, event handler, cron job,
 * WebSocket handler or middleware is removed or renamed, codegen deletes its generated module but
 * never the user's handler file, which then imports a module that is gone (`deno check` fails on
 * it with a missing-module error). They are reported as warnings, with what to do; never deleted.
 *
 * @module
 */

import type { Diagnostic, Schema } from "../parser/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import { buildAppModel, handlerRefsOf } from "./app_model.ts";
import { handlerCandidates } from "./_resolve_handler.ts";

/** The folders handler files live in, relative to the project root. */
const HANDLER_DIRS = ["src/handlers", "src/middlewares"] as const;

/** The warning code of an orphaned handler file. */
export const ORPHAN_HANDLER_CODE = "orphan-handler";

/** Lists the handler files of a project that no schema entry names, as warnings.
 *
 * @param schema the (valid) schema
 * @param project the root and its config
 * @returns one `orphan-handler` warning per file, sorted by path
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { findOrphanHandlers } from "./orphan_handlers.ts";
 * import { emptySchema } from "../parser/ast.ts";
 * import { parseConfig } from "../project/mod.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/src/handlers/api`, { recursive: true });
 * await Deno.writeTextFile(`${root}/src/handlers/api/old_api.ts`, "");
 * const [orphan] = await findOrphanHandlers(emptySchema(), {
 *   root,
 *   config: parseConfig("", { file: "rohas.toml", env: {} }),
 * });
 * assert(orphan?.file === `${root}/src/handlers/api/old_api.ts`);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function findOrphanHandlers(
  schema: Schema,
  project: { root: string; config: RohasConfig },
): Promise<Diagnostic[]> {
  const root = project.root.replace(/\/+$/, "");
  // Every file is taken to exist: the model then names each handler, whatever is on disk.
  const model = buildAppModel(schema, project.config, { root, exists: () => true });
  const claimed = new Set<string>();
  for (const ref of handlerRefsOf(model)) {
    for (const c of handlerCandidates(ref, project.config.project.language)) claimed.add(c.file);
  }
  const files: string[] = [];
  for (const dir of HANDLER_DIRS) await collect(root, dir, files);
  return files.filter((file) => !claimed.has(file)).sort().map((file) => orphanWarning(root, file));
}

/** Handler-like files under `dir`: helpers (`_x.ts`), tests and Python packages are left alone. */
async function collect(root: string, dir: string, out: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(`${root}/${dir}`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  for (const e of entries) {
    if (e.name.startsWith("_") || e.name.startsWith(".")) continue;
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory) await collect(root, rel, out);
    else if (isHandlerLike(e.name)) out.push(rel);
  }
}

function isHandlerLike(name: string): boolean {
  if (name.endsWith("_test.ts") || name.endsWith(".test.ts") || name.startsWith("test_")) {
    return false;
  }
  return name.endsWith(".ts") || name.endsWith(".py");
}

function orphanWarning(root: string, file: string): Diagnostic {
  const why = file.endsWith(".ts")
    ? "; `deno check` fails on it because the generated module it imports was deleted with the " +
      "schema entry"
    : "";
  return {
    code: ORPHAN_HANDLER_CODE,
    severity: "warning",
    message: `Handler file ${file} matches no schema entry (its API, event, cron job, WebSocket ` +
      `or middleware was removed or renamed)${why}: move its code to the new handler's file and ` +
      `delete it, or restore the schema entry; Rohas never deletes it and never runs it`,
    file: `${root}/${file}`,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
  };
}
