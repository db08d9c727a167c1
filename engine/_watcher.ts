/**
 * The dev file watcher: `Deno.watchFs` over the schema and `src/`, debounced, classifying each
 * batch into schema edits and handler edits (generated files are ignored).
 *
 * @module
 */

/** A debounced batch of changes. */
export interface ChangeBatch {
  /** Whether a schema file changed. */
  schema: boolean;
  /** Absolute paths of changed `.ts`/`.py` files under `src/` (not `src/generated/`). */
  handlers: string[];
}

/** Options of {@linkcode watchProject}. */
export interface WatchOptions {
  /** The absolute project root. */
  root: string;
  /** The schema directory (absolute). */
  schemaDir: string;
  /** Quiet time before a batch is delivered. Default 80 ms. */
  debounceMs?: number;
  /** Called with each batch; the next batch waits until it settles. */
  onBatch: (batch: ChangeBatch) => Promise<void>;
  /** Told when `onBatch` rejects; later batches are still delivered. */
  onError: (error: unknown, batch: ChangeBatch) => void;
}

/** A running watcher. */
export interface ProjectWatcher {
  /** Stops watching; resolves once the batch being delivered, if any, has finished. */
  close(): Promise<void>;
}

/** Watches a project until closed; batches are delivered one at a time.
 *
 * @param options the paths, debounce and callback
 * @returns the watcher
 */
export function watchProject(options: WatchOptions): ProjectWatcher {
  const srcDir = `${options.root}/src`;
  const paths = [options.schemaDir];
  try {
    if (Deno.statSync(srcDir).isDirectory) paths.push(srcDir);
  } catch {
    // No src/ yet.
  }
  const watcher = Deno.watchFs(paths, { recursive: true });
  let pending: ChangeBatch = { schema: false, handlers: [] };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let chain = Promise.resolve();
  const flush = () => {
    const batch = pending;
    pending = { schema: false, handlers: [] };
    chain = chain.then(() => deliver(batch, options));
  };
  const loop = (async () => {
    for await (const event of watcher) {
      if (event.kind === "access" || event.kind === "other") continue;
      for (const path of event.paths) classify(path, options.schemaDir, srcDir, pending);
      if (!pending.schema && pending.handlers.length === 0) continue;
      clearTimeout(timer);
      timer = setTimeout(flush, options.debounceMs ?? 80);
    }
  })();
  return {
    async close() {
      clearTimeout(timer);
      watcher.close();
      await loop;
      await chain;
    },
  };
}

async function deliver(batch: ChangeBatch, options: WatchOptions): Promise<void> {
  try {
    await options.onBatch(batch);
  } catch (error) {
    options.onError(error, batch);
  }
}

function classify(path: string, schemaDir: string, srcDir: string, batch: ChangeBatch): void {
  if (path.endsWith(".ro") && path.startsWith(schemaDir)) {
    batch.schema = true;
    return;
  }
  if (!path.startsWith(srcDir + "/") || path.startsWith(`${srcDir}/generated/`)) return;
  if (!/\.(ts|py)$/.test(path)) return;
  if (!batch.handlers.includes(path)) batch.handlers.push(path);
}
