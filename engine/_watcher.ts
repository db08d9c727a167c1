/**
 * The dev file watcher: `Deno.watchFs` over the schema, `src/` and `config/`, debounced, classifying
 * each batch into schema, module and config edits (generated files are ignored).
 *
 * @module
 */

/** A debounced batch of changes. */
export interface ChangeBatch {
  /** Whether a schema file changed. */
  schema: boolean;
  /** Absolute paths of changed `.ts`/`.py` files under `src/` (not `src/generated/`). */
  handlers: string[];
  /** Whether `config/rohas.toml` changed. */
  config: boolean;
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
  const configFile = `${options.root}/config/rohas.toml`;
  const paths = [options.schemaDir, ...[srcDir, `${options.root}/config`].filter(isDirectory)];
  const watcher = Deno.watchFs(paths, { recursive: true });
  let pending = emptyBatch();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let chain = Promise.resolve();
  const flush = () => {
    const batch = pending;
    pending = emptyBatch();
    chain = chain.then(() => deliver(batch, options));
  };
  const loop = (async () => {
    for await (const event of watcher) {
      if (event.kind === "access" || event.kind === "other") continue;
      for (const path of event.paths) {
        if (path === configFile) pending.config = true;
        else classify(path, options.schemaDir, srcDir, pending);
      }
      if (!pending.schema && !pending.config && pending.handlers.length === 0) continue;
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

function emptyBatch(): ChangeBatch {
  return { schema: false, handlers: [], config: false };
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
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
