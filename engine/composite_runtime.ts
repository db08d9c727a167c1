/**
 * A runtime that dispatches each call by the handler's language (TypeScript Workers or in-process,
 * Python through FFI), so the engine sees one {@linkcode HandlerRuntime}.
 *
 * @module
 */

import type {
  HandlerLanguage,
  HandlerRuntime,
  Invocation,
  InvocationResult,
  SerializedError,
} from "./runtime/contract.ts";

/** Options of {@linkcode createCompositeRuntime}: one runtime per language. */
export interface CompositeRuntimeOptions {
  typescript?: HandlerRuntime;
  python?: HandlerRuntime;
}

class CompositeRuntime implements HandlerRuntime {
  #runtimes: Partial<Record<HandlerLanguage, HandlerRuntime>>;

  constructor(options: CompositeRuntimeOptions) {
    this.#runtimes = { ...options };
  }

  invoke(invocation: Invocation): Promise<InvocationResult> {
    const runtime = this.#runtimes[invocation.handler.language];
    if (runtime) return runtime.invoke(invocation);
    const message =
      `No ${invocation.handler.language} runtime: cannot run "${invocation.handler.name}"`;
    return Promise.resolve({
      ok: false,
      reason: "not_found",
      error: { name: "RuntimeUnsupportedError", message },
      effects: [],
      durationMs: 0,
    });
  }

  async reload(file: string): Promise<SerializedError | null> {
    const language: HandlerLanguage = file.endsWith(".py") ? "python" : "typescript";
    return await this.#runtimes[language]?.reload(file) ?? null;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.#runtimes).map((r) => r.close()));
  }
}

/** Creates a runtime dispatching by `HandlerRef.language`.
 *
 * @param options the runtime of each language; a language without one fails with `not_found`
 * @returns the runtime
 * @example
 * ```ts ignore
 * const runtime = createCompositeRuntime({ typescript: createWorkerRuntime({ root, permissions }) });
 * ```
 */
export function createCompositeRuntime(options: CompositeRuntimeOptions): HandlerRuntime {
  return new CompositeRuntime(options);
}
