/**
 * Hot reload (`rohas dev`): what the watcher's batches of edits do to the running app.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";
import type { Engine } from "./app.ts";
import { prepareApp } from "./project_loader.ts";
import type { ChangeBatch } from "./_watcher.ts";
import type { ServeEvent } from "./assembly_options.ts";
import { type AppModel, handlerRefsOf } from "./app_model.ts";
import type { ModuleGraph } from "./_module_graph.ts";
import type { TypeCheck } from "./_type_check.ts";

/**
 * The watcher ignores `src/generated/`, so after codegen rewrote generated Python modules the Python
 * runtime is told once: reloading one generated module drops them all, and handlers re-import them.
 */
async function reloadGeneratedPython(
  ctx: ReloadContext,
  written: readonly string[],
): Promise<void> {
  const generated = written.find((f) => f.startsWith("src/generated/") && f.endsWith(".py"));
  if (generated === undefined) return;
  const file = `${ctx.location.root}/${generated}`;
  const started = performance.now();
  const error = await ctx.runtime.reload(file);
  if (error) {
    ctx.onEvent({
      kind: "handler_reloaded",
      file,
      ms: performance.now() - started,
      error: error.message,
      handlers: [],
    });
  }
}

/** What a reload needs: the running engine and runtime, where the project is, who is told. */
export interface ReloadContext {
  /** The schema the workbench shows; replaced on a schema reload. */
  current: { schema: Schema };
  engine: Engine;
  runtime: HandlerRuntime;
  config: RohasConfig;
  location: { root: string; schemaDir: string };
  onEvent: (event: ServeEvent) => void;
  /** The TypeScript handlers' import graph; refreshed after each edit. */
  graph: ModuleGraph;
  /** The background type check, run after each edit without holding the reload. */
  typeCheck: TypeCheck;
}

/** Applies one batch of edits: a schema edit runs codegen and swaps the model; a module edit
 * reloads every handler that imports it.
 *
 * @param batch the changed files
 * @param ctx the running parts
 */
export async function reload(batch: ChangeBatch, ctx: ReloadContext): Promise<void> {
  ctx.typeCheck.cancel();
  if (batch.schema) await reloadSchema(ctx);
  for (const file of batch.handlers) await reloadModule(file, ctx);
  const typescript = batch.handlers.filter((file) => file.endsWith(".ts"));
  if (!batch.schema && typescript.length === 0) return;
  const changed = await Promise.all(typescript.map((file) => ctx.graph.importsChanged(file)));
  const roots = graphRoots(ctx);
  if (batch.schema || changed.includes(true)) ctx.graph.refresh(roots);
  ctx.typeCheck.request(roots);
}

async function reloadSchema(ctx: ReloadContext): Promise<void> {
  const started = performance.now();
  const prepared = await prepareApp({ ...ctx.location, config: ctx.config, codegen: true });
  if (!prepared.ok) {
    ctx.onEvent({ kind: "reload_failed", failure: prepared });
    return;
  }
  await ctx.engine.swap(prepared.model, prepared.validators);
  ctx.current.schema = prepared.schema;
  await reloadGeneratedPython(ctx, prepared.written);
  ctx.onEvent({
    kind: "schema_reloaded",
    routes: prepared.model.routes.length,
    written: prepared.written,
    ms: performance.now() - started,
  });
}

/**
 * A handler file no other module imports is swapped alone (its imports keep their state). A module
 * other handlers import is reloaded with all of them: TypeScript handlers get fresh Workers (an ES
 * module cannot be replaced under the modules importing it), Python re-imports the project's
 * modules.
 */
async function reloadModule(file: string, ctx: ReloadContext): Promise<void> {
  const started = performance.now();
  const handlers = handlerFiles(ctx.engine.model());
  const dependents = file.endsWith(".py")
    ? [...handlers.keys()].filter((f) => f.endsWith(".py") && (f === file || !handlers.has(file)))
    : await ctx.graph.dependents(file, [...handlers.keys()].filter((f) => f.endsWith(".ts")));
  const alone = dependents.length === 1 && dependents[0] === file;
  const error = file.endsWith(".py") || alone
    ? await ctx.runtime.reload(file)
    : dependents.length === 0
    ? null
    : await (ctx.runtime.renew?.(dependents) ?? ctx.runtime.reload(file));
  ctx.onEvent({
    kind: "handler_reloaded",
    file,
    ms: performance.now() - started,
    error: error ? error.message : null,
    handlers: error ? [] : dependents.flatMap((f) => handlers.get(f) ?? []),
  });
}

/** Where the import graph starts: the generated manifest imports every TypeScript handler. */
export function graphRoots(ctx: Pick<ReloadContext, "engine" | "location">): string[] {
  const manifest = `${ctx.location.root}/src/generated/manifest.ts`;
  try {
    if (Deno.statSync(manifest).isFile) return [manifest];
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return [...handlerFiles(ctx.engine.model()).keys()].filter((file) => file.endsWith(".ts"));
}

/** The handler names of each handler file of the model (middlewares included). */
export function handlerFiles(model: AppModel): Map<string, string[]> {
  const refs = handlerRefsOf(model);
  const files = new Map<string, string[]>();
  for (const ref of refs) {
    if (ref.file === "") continue;
    const names = files.get(ref.file) ?? [];
    if (!names.includes(ref.name)) names.push(ref.name);
    files.set(ref.file, names);
  }
  return files;
}
