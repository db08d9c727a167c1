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
}

/** Applies one batch of edits: a schema edit runs codegen and swaps the model; a handler edit
 * reloads that module.
 *
 * @param batch the changed files
 * @param ctx the running parts
 */
export async function reload(batch: ChangeBatch, ctx: ReloadContext): Promise<void> {
  const emit = ctx.onEvent;
  if (batch.schema) {
    const started = performance.now();
    const prepared = await prepareApp({ ...ctx.location, config: ctx.config, codegen: true });
    if (!prepared.ok) {
      emit({ kind: "reload_failed", failure: prepared });
    } else {
      await ctx.engine.swap(prepared.model, prepared.validators);
      ctx.current.schema = prepared.schema;
      await reloadGeneratedPython(ctx, prepared.written);
      emit({
        kind: "schema_reloaded",
        routes: prepared.model.routes.length,
        written: prepared.written,
        ms: performance.now() - started,
      });
    }
  }
  for (const file of batch.handlers) {
    const started = performance.now();
    const error = await ctx.runtime.reload(file);
    emit({
      kind: "handler_reloaded",
      file,
      ms: performance.now() - started,
      error: error ? error.message : null,
    });
  }
}
