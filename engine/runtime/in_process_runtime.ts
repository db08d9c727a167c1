/**
 * The in-process runtime: runs TypeScript handlers from the generated manifest
 * (`src/generated/manifest.ts`) in the engine's own isolate, for Deno Deploy and `deno compile`,
 * where Workers with their own permissions are not available.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { relative, sep } from "node:path";
import type {
  HandlerRef,
  HandlerRuntime,
  Invocation,
  InvocationResult,
  SerializedError,
} from "./contract.ts";
import { callHandler, failed } from "./_call_handler.ts";
import { refineFailure } from "./_classify.ts";
import {
  HandlerNotFoundError,
  HandlerTimeoutError,
  RuntimeClosedError,
  RuntimeUnsupportedError,
} from "./errors.ts";
import { serializeError } from "./protocol.ts";
import { Deadlines } from "./_deadlines.ts";

/** The generated manifest: the project root URL and every handler module by project path. */
export interface HandlerManifest {
  /** `import.meta.resolve("../../")` of the manifest: the project root as a URL. */
  root: string;
  /** Module namespaces keyed by project-relative POSIX path (`src/handlers/api/x.ts`). */
  modules: Record<string, Record<string, unknown>>;
}

/** Options of {@linkcode createInProcessRuntime}. */
export interface InProcessRuntimeOptions {
  /** The generated manifest. */
  manifest: HandlerManifest;
  /** How long {@linkcode HandlerRuntime.close} waits for calls in flight. Default 10000. */
  drainTimeoutMs?: number;
}

/**
 * Creates a runtime that calls handlers directly. There is no isolation: permissions are the
 * process's own, and a timed-out call is answered with `timeout` but keeps running (an isolate
 * cannot stop its own code). `reload` is unsupported: the modules are static imports.
 *
 * @example
 * ```ts ignore
 * import { manifest } from "./src/generated/manifest.ts";
 * const runtime = createInProcessRuntime({ manifest });
 * ```
 *
 * @param options the manifest and drain deadline
 * @returns the runtime
 */
export function createInProcessRuntime(options: InProcessRuntimeOptions): HandlerRuntime {
  return new InProcessRuntime(options);
}

class InProcessRuntime implements HandlerRuntime {
  readonly #options: InProcessRuntimeOptions;
  readonly #rootPath: string;
  readonly #deadlines = new Deadlines();
  /** Manifest keys by absolute file (path arithmetic costs more than a call). */
  readonly #keys = new Map<string, string>();
  #inFlight = 0;
  #closed = false;
  #idle: (() => void) | undefined;

  constructor(options: InProcessRuntimeOptions) {
    this.#options = options;
    this.#rootPath = fileURLToPath(options.manifest.root);
  }

  async invoke(invocation: Invocation): Promise<InvocationResult> {
    const { handler } = invocation;
    const started = performance.now();
    if (this.#closed) {
      const error = new RuntimeClosedError(`Runtime is closed: cannot run "${handler.name}"`);
      return failed("error", error, [], started);
    }
    if (handler.language !== "typescript") {
      const message = `Cannot run "${handler.name}": the in-process runtime runs TypeScript only`;
      return failed("error", new RuntimeUnsupportedError(message), [], started);
    }
    const namespace = this.#options.manifest.modules[this.#key(handler.file)];
    if (namespace === undefined) return failed("not_found", notInManifest(handler), [], started);
    this.#inFlight++;
    try {
      const result = await this.#callWithDeadline(namespace, invocation, started);
      return result.ok ? result : await refineFailure(result, handler, () => Promise.resolve(true));
    } finally {
      if (--this.#inFlight === 0) this.#idle?.();
    }
  }

  reload(file: string): Promise<SerializedError | null> {
    const message =
      `Cannot reload "${file}": the in-process runtime runs the manifest's static imports`;
    return Promise.resolve(serializeError(new RuntimeUnsupportedError(message)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#inFlight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<void>((resolve) => this.#idle = resolve);
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.drainTimeoutMs ?? 10_000);
      });
      await Promise.race([idle, deadline]);
      clearTimeout(timer);
    }
    this.#deadlines.close();
  }

  #callWithDeadline(
    namespace: Record<string, unknown>,
    invocation: Invocation,
    started: number,
  ): Promise<InvocationResult> {
    return new Promise((resolve) => {
      const deadline = this.#deadlines.after(invocation.timeoutMs, () => {
        const { name } = invocation.handler;
        const message = `Handler "${name}" timed out after ${invocation.timeoutMs} ms`;
        resolve(failed("timeout", new HandlerTimeoutError(message), [], started));
      });
      callHandler(namespace, invocation).then((result) => {
        this.#deadlines.cancel(deadline);
        resolve(result);
      });
    });
  }

  #key(file: string): string {
    let key = this.#keys.get(file);
    if (key === undefined) {
      key = relative(this.#rootPath, file).split(sep).join("/");
      this.#keys.set(file, key);
    }
    return key;
  }
}

function notInManifest(handler: HandlerRef): HandlerNotFoundError {
  return new HandlerNotFoundError(
    `Handler "${handler.name}" not found: "${handler.file}" is not in the generated manifest`,
  );
}
